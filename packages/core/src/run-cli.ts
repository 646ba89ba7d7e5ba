import { HelpRequested } from './args.ts';
import { CommandError, ConfigurationError, errorMessage, GitHubApiError } from './errors.ts';
import { endWithNpm } from './npm-parent.ts';

/**
 * Runs a CLI's main function and turns every outcome into an exit code.
 * Started by npm, it also ends when npm is gone (see endWithNpm).
 * `--help` (HelpRequested from parseFlags) prints the usage to stdout, exit 0.
 * A ConfigurationError is the user's to fix: print its message only, exit 2.
 * A failed program or GitHub API call is neither the user's input nor a bug:
 * its message says all, exit 1. Anything else is a bug: print the stack so
 * it can be reported.
 */
export function runCli(main: (argv: string[]) => Promise<number | void>): void {
  endWithNpm();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      if (error instanceof HelpRequested) {
        process.stdout.write(error.usage);
        process.exitCode = 0;
      } else if (error instanceof ConfigurationError) {
        process.stderr.write(`error: ${error.message}\n`);
        process.exitCode = 2;
      } else if (error instanceof CommandError || error instanceof GitHubApiError) {
        process.stderr.write(`error: ${error.message}\n`);
        process.exitCode = 1;
      } else {
        process.stderr.write(
          `internal error: ${error instanceof Error && error.stack ? error.stack : errorMessage(error)}\n`,
        );
        process.exitCode = 1;
      }
    },
  );
}
