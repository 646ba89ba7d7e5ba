/**
 * The retrain relay: Alertmanager's retrain receiver posts here, and the
 * relay asks GitHub for a workflow_dispatch of ct.yml. Config is
 * the environment (see config.ts, and --help); SIGTERM and SIGINT close it
 * within a bounded time (see server.ts).
 */
import { runCli } from '@housing/core/run-cli';
import { parseFlags } from '@housing/core/args';
import { createCliLogger } from '@housing/core/logger';
import { loadRelayConfig } from './config.ts';
import { startRelay } from './server.ts';
import { RELAY_HELP } from './usage.ts';

runCli(async (argv) => {
  // The relay takes no flags: --help prints RELAY_HELP (runCli exits 0), anything else is an error.
  parseFlags(argv, {}, RELAY_HELP);
  const config = loadRelayConfig();
  const logger = createCliLogger('relay');
  const relay = await startRelay(config, logger);
  await new Promise<void>((done) => {
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  logger.info('shutting down');
  await relay.close();
  logger.info('stopped');
  return 0;
});
