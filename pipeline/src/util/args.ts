import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigurationError, errorMessage } from './errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` parseArgs with errors that name the flag and a usage line,
 * instead of Node's TypeError with a stack.
 */
export function parseFlags<T extends Options>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (error) {
    throw new ConfigurationError(`${errorMessage(error)}\nusage: ${usage}`);
  }
}

/** A required string flag, or a ConfigurationError naming it. */
export function requireFlag(value: string | undefined, flag: string, usage: string): string {
  if (value === undefined || value === '') {
    throw new ConfigurationError(`missing required flag --${flag}\nusage: ${usage}`);
  }
  return value;
}

/** A numeric flag, or a ConfigurationError naming it. */
export function numberFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) {
    throw new ConfigurationError(`--${flag} must be a number, got '${value}'`);
  }
  return parsed;
}
