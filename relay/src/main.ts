/**
 * The retrain relay: Alertmanager's retrain receiver posts here, and the
 * relay asks GitHub for a `retrain` repository_dispatch (ct.yml). Config is
 * the environment (see config.ts); SIGTERM and SIGINT close it cleanly.
 */
import { runCli } from '../../pipeline/src/cli/run-cli.ts';
import { createCliLogger } from '../../pipeline/src/util/logger.ts';
import { loadRelayConfig } from './config.ts';
import { startRelay } from './server.ts';

runCli(async () => {
  const config = loadRelayConfig();
  const logger = createCliLogger('relay');
  const relay = await startRelay(config, logger);
  await new Promise<void>((done) => {
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  logger.info('shutting down');
  await relay.close();
});
