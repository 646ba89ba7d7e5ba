import { mkdirSync } from 'node:fs';
import type { Logger as Pino } from 'pino';
import { ConfigurationError, errnoCode } from '@housing/core/errors';
import type { PredictionLogConfig } from '../config.ts';
import type { ServiceMetrics } from '../metrics.ts';
import { PredictionLog } from './log.ts';
import { openStoreThread } from './store-thread.ts';
import { startRetention, type Retention } from './retention.ts';

/** The prediction log and its retention job, as the service runs them. */
export interface RunningLog {
  log: PredictionLog;
  retention: Retention | undefined;
  /** Stops retention, then flushes and closes the log by `deadline` (epoch ms). */
  close(deadline: number): Promise<void>;
}

/**
 * Opens the store the configuration names and starts the log on it. Fails
 * fast, with a ConfigurationError naming DATABASE_URL (never its password)
 * or the folder, when the store cannot be reached or opened at startup: a
 * service that silently served without its log would lose every record
 * until someone noticed. A store that fails later only loses records, counted.
 */
export async function openPredictionLog(
  config: PredictionLogConfig,
  metrics: ServiceMetrics,
  logger: Pino,
): Promise<RunningLog> {
  if (!config.databaseUrl) ensureFolder(config.dir);
  const db = await openStoreThread({ url: config.databaseUrl, dir: config.dir });
  logger.info(
    {
      store: db.kind,
      where: db.where,
      inputs: config.inputs,
      retention_days: config.retentionDays,
    },
    'prediction log open',
  );
  const log = new PredictionLog(db, config, metrics, logger);
  const retention =
    config.retentionDays > 0 ? startRetention(db, config.retentionDays, logger) : undefined;
  return {
    log,
    retention,
    close(deadline) {
      retention?.stop();
      return log.close(deadline);
    },
  };
}

/** Creates the embedded store's folder and its parents, naming the variable when it cannot. */
function ensureFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new ConfigurationError(
      `cannot create ${dir} for the embedded prediction log (${errnoCode(error) ?? 'error'})`,
      'PREDICTION_LOG_DIR',
    );
  }
}
