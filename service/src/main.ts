import { runCli } from '@housing/core/run-cli';
import { ConfigurationError } from '@housing/core/errors';
import { parseConfig, usage } from './config.ts';
import { serveUntilStopped } from './serve-until-stopped.ts';
import { start } from './server.ts';

/**
 * The service's entry point: config from the environment (fail fast), then
 * listen. SIGHUP reloads the model; SIGTERM and SIGINT drain and exit 0.
 * It takes no arguments but --help (-h), which prints the variables it reads
 * and exits before anything is loaded.
 */
runCli(async (argv) => {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage());
    return 0;
  }
  if (argv[0] !== undefined)
    throw new ConfigurationError(
      `unknown argument ${JSON.stringify(argv[0])}: the service takes no arguments, only environment variables (see --help)`,
    );
  const config = parseConfig();
  await serveUntilStopped(() => start(config));
  return 0;
});
