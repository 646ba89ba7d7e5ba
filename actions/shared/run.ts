import * as core from '@actions/core';
import { ConfigurationError, errorMessage } from '@housing/core/errors';

/**
 * Runs an action's main function. Every thrown value, Error or not, ends in
 * `core.setFailed`: a ConfigurationError with its message only (the user's
 * to fix), anything else with its stack in the debug log (a bug to report).
 */
export async function runAction(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (!(error instanceof ConfigurationError) && error instanceof Error && error.stack)
      core.debug(error.stack);
    core.setFailed(errorMessage(error));
  }
}
