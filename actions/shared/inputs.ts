import * as core from '@actions/core';
import { ConfigurationError } from '@housing/core/errors';

/** A string input by its action.yml name; `fallback` when empty. */
export function stringInput(name: string, fallback?: string): string {
  const value = core.getInput(name).trim();
  if (value !== '') return value;
  if (fallback !== undefined) return fallback;
  throw new ConfigurationError(`input '${name}' is required`);
}

/**
 * A boolean input as `core.getBooleanInput` reads it (YAML 1.2's true, True,
 * TRUE, false, False, FALSE); `fallback` when empty, which getBooleanInput
 * would refuse.
 */
export function booleanInput(name: string, fallback: boolean): boolean {
  const value = core.getInput(name);
  if (value === '') return fallback;
  try {
    return core.getBooleanInput(name);
  } catch {
    throw new ConfigurationError(
      `input '${name}' must be true or false (or True, TRUE, False, FALSE), got '${value}'`,
    );
  }
}

/** A whole-number input of at least `min`; `fallback` when empty. */
export function integerInput(name: string, fallback: number, min = 0): number {
  const value = core.getInput(name).trim();
  if (value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new ConfigurationError(
      `input '${name}' must be a whole number >= ${min}, got '${value}'`,
    );
  return n;
}
