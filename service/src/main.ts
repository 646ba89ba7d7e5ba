import { runCli } from '../../pipeline/src/cli/run-cli.ts';
import { parseConfig } from './config.ts';
import { start } from './server.ts';

/**
 * The service's entry point: config from the environment (fail fast), then
 * listen. SIGHUP reloads the model; SIGTERM and SIGINT drain and exit 0.
 */
runCli(async () => {
  const config = parseConfig();
  const service = await start(config);
  process.on('SIGHUP', () => void service.reload());
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      service.logger.info({ signal }, 'shutting down');
      void service.close().then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
});
