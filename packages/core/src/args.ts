import { parseArgs } from 'node:util';
import { ConfigurationError, errorMessage } from './errors.ts';

/** One flag of a command: its type for the parser, and what `--help` says about it. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  /** What the flag does, printed by `--help`. */
  description: string;
  /** How `--help` names the value of a string flag, e.g. `<csv>`; `<value>` when unset. */
  value?: string;
  /**
   * What applies when the flag is absent, as `--help` prints it (often a
   * params.yaml key). Text only: the command applies its own default.
   */
  defaultText?: string;
}

/** A command's flags, by name without the leading `--`. */
export type FlagSpecs = Record<string, FlagSpec>;

/** How `--help` introduces a command. */
export interface CommandHelp {
  /** How a user runs it, e.g. `npm run gate`. */
  command: string;
  /** What it does and what its exit codes mean. */
  summary: string;
}

/** The parsed values: a string or boolean per flag given, undefined when absent. */
export type FlagValues<T extends FlagSpecs> = {
  [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string;
};

/**
 * Thrown by parseFlags when the user asked for `--help` or `-h`: runCli
 * prints the usage to stdout and exits 0, before the command does anything.
 */
export class HelpRequested extends Error {
  constructor(readonly usage: string) {
    super('help requested');
    this.name = 'HelpRequested';
  }
}

/** `--params`, the parameters file every pipeline stage reads. */
export const PARAMS_FLAG = {
  type: 'string',
  value: '<yaml>',
  description: 'the parameters file',
  defaultText: 'params.yaml',
} as const satisfies FlagSpec;

const HELP_FLAGS = new Set(['--help', '-h']);

/** The placeholder of a flag in the synopsis and the table, e.g. `--data <csv>`. */
function flagLabel(name: string, spec: FlagSpec): string {
  return spec.type === 'boolean' ? `--${name}` : `--${name} ${spec.value ?? '<value>'}`;
}

/** One line: how to run the command with every flag, for error messages. */
function synopsis(flags: FlagSpecs, help: CommandHelp): string {
  const options = Object.entries(flags).map(([name, spec]) => `[${flagLabel(name, spec)}]`);
  return [help.command, ...(options.length > 0 ? ['--', ...options] : [])].join(' ');
}

/** The full `--help` text: synopsis, summary, and every flag with its meaning and default. */
export function formatUsage(flags: FlagSpecs, help: CommandHelp): string {
  const rows: [string, string][] = Object.entries(flags).map(([name, spec]) => [
    flagLabel(name, spec),
    spec.defaultText === undefined
      ? spec.description
      : `${spec.description} (default: ${spec.defaultText})`,
  ]);
  rows.push(['-h, --help', 'print this help and exit']);
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `usage: ${synopsis(flags, help)}`,
    '',
    help.summary,
    '',
    'flags:',
    ...rows.map(([label, text]) => `  ${label.padEnd(width)}  ${text}`),
    '',
  ].join('\n');
}

/** Node's parseArgs messages, reworded to name the flag without suggesting positionals. */
function describeParseError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const quoted = /'([^']+)'/.exec(errorMessage(error))?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) return `unknown flag '${quoted}'`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && quoted)
    return `unexpected argument '${quoted}': this command takes flags only`;
  return errorMessage(error);
}

/**
 * Parses a command's flags (`node:util` parseArgs, strict, no positionals).
 * `--help` or `-h` anywhere before a `--` throws HelpRequested with the usage
 * generated from `flags`, so every command answers it the same way and does
 * nothing else. A bad flag is a ConfigurationError that names it.
 */
export function parseFlags<T extends FlagSpecs>(
  argv: string[],
  flags: T,
  help: CommandHelp,
): FlagValues<T> {
  const beforeTerminator = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  if (beforeTerminator.some((arg) => HELP_FLAGS.has(arg)))
    throw new HelpRequested(formatUsage(flags, help));
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, spec]) => [name, { type: spec.type }]),
  );
  const usageHint = `usage: ${synopsis(flags, help)}\n(${help.command} -- --help describes every flag)`;
  let values: FlagValues<T>;
  try {
    values = parseArgs({ args: argv, options, allowPositionals: false, strict: true })
      .values as FlagValues<T>;
  } catch (error) {
    throw new ConfigurationError(`${describeParseError(error)}\n${usageHint}`);
  }
  // Every string flag names a file, a folder, a number or a remote: '' is
  // none of them, and would reach the command as a path that names nothing.
  const empty = Object.entries(values).find(([, value]) => value === '');
  if (empty)
    throw new ConfigurationError(
      `--${empty[0]} needs a value (${flagLabel(empty[0], flags[empty[0]]!)}), got an empty one\n${usageHint}`,
    );
  return values;
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
