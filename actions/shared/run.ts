import * as core from '@actions/core';
import { CommandError, ConfigurationError, errorMessage } from '@housing/core/errors';

/**
 * How a failure reads in the job's annotation. A program the action ran
 * (through execProgram) already printed its output into the log, so its
 * failure points there instead of repeating its stderr.
 */
export function failureMessage(error: unknown): string {
  if (error instanceof CommandError)
    return `${error.command.join(' ')} ${
      error.exitCode === null
        ? `was killed by ${error.signal ?? 'a signal'}`
        : `exited with ${error.exitCode}`
    }; see the log above`;
  return errorMessage(error);
}

/**
 * Runs an action's main function. Every thrown value, Error or not, ends in
 * `core.setFailed`: a ConfigurationError or CommandError with its message
 * only (the user's to fix, or the program's output to read), anything else
 * with its stack in the debug log (a bug to report).
 */
export async function runAction(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    const expected = error instanceof ConfigurationError || error instanceof CommandError;
    if (!expected && error instanceof Error && error.stack) core.debug(error.stack);
    core.setFailed(failureMessage(error));
  }
}
