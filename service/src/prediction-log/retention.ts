import type { Logger as Pino } from 'pino';
import type { LogStore } from './store-thread.ts';
import { deleteExpiredPredictions } from '@housing/prediction-store/queries';
import { errorMessage } from '@housing/core/errors';

/** How often expired rows are looked for. */
export const RETENTION_INTERVAL_MS = 3_600_000;
/** Rows per DELETE: short statements that never hold the log's writes up for long. */
export const RETENTION_BATCH_ROWS = 1000;

/** A running retention job. */
export interface Retention {
  /** Stops the timer; a pass under way finishes its current batch and ends. */
  stop(): void;
  /** Runs one pass now (the timer's job), resolving with the rows deleted. */
  runOnce(): Promise<number>;
}

/**
 * Deletes logged predictions older than `days` at startup and then every
 * RETENTION_INTERVAL_MS, in batches (see deleteExpiredPredictions). A failed
 * pass is logged and retried at the next interval; passes never overlap.
 */
export function startRetention(db: LogStore, days: number, logger: Pino): Retention {
  let running: Promise<number> | undefined;
  const runOnce = () =>
    (running ??= deleteExpiredPredictions(db, days, RETENTION_BATCH_ROWS)
      .then(
        (deleted) => {
          if (deleted > 0) logger.info({ deleted, days }, 'prediction log: expired rows deleted');
          return deleted;
        },
        (error: unknown) => {
          logger.warn(
            { err: errorMessage(error), store: db.where },
            'prediction log: retention failed',
          );
          return 0;
        },
      )
      .finally(() => {
        running = undefined;
      }));
  void runOnce();
  const timer = setInterval(() => void runOnce(), RETENTION_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer), runOnce };
}
