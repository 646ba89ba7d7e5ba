import { getExecOutput, type ExecOutput } from '@actions/exec';
import { CommandError } from '@housing/core/errors';

/** How {@link execProgram} runs one program. */
export interface ExecProgramOptions {
  cwd?: string;
  /** Variables added to the action's own environment. */
  env?: Record<string, string>;
  /**
   * Exit codes that are answers, not failures (a linter's 1: "found
   * problems"); `any` when the caller reads every exit code itself.
   */
  okCodes?: readonly number[] | 'any';
  /** Keep stdout out of the job log: it is data the caller parses (a linter's JSON). */
  quietStdout?: boolean;
  /** The command as a failure names it, when its arguments are too long to repeat. */
  label?: readonly string[];
  /** Bytes written to the program's stdin (a password for `--password-stdin`, never an argument). */
  input?: Buffer;
}

/**
 * Runs a program with `@actions/exec` (arguments passed as they are, never
 * through a shell) and returns its exit code and output. Its output goes to
 * the job log as it comes; an exit code outside `okCodes` (default: 0)
 * throws a {@link CommandError} with the exit code and stderr.
 */
export async function execProgram(
  program: string,
  args: readonly string[],
  options: ExecProgramOptions = {},
): Promise<ExecOutput> {
  const env = options.env
    ? {
        ...Object.fromEntries(
          Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
        ),
        ...options.env,
      }
    : undefined;
  const result = await getExecOutput(program, [...args], {
    ignoreReturnCode: true,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(env === undefined ? {} : { env }),
    ...(options.input === undefined ? {} : { input: options.input }),
    // Quiet: nothing echoed but stderr, which says why a program failed.
    ...(options.quietStdout
      ? { silent: true, listeners: { stderr: (data: Buffer) => process.stdout.write(data) } }
      : {}),
  });
  // A signal leaves no exit code: @actions/exec reports it as null at run time.
  const exitCode = result.exitCode as number | null;
  const ok = options.okCodes ?? [0];
  if (exitCode === null || (ok !== 'any' && !ok.includes(exitCode)))
    throw new CommandError(options.label ?? [program, ...args], exitCode, result.stderr);
  return result;
}
