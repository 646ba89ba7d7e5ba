import type { Logger as Pino } from 'pino';
import type { ServiceConfig } from './config.ts';
import type { DriftMonitor } from './drift-monitor.ts';
import type { ServiceMetrics } from './metrics.ts';
import type { ModelHolder } from './model/model-holder.ts';
import type { PredictionLog } from './prediction-log/log.ts';

/** What the app needs; `createApp` builds routes on them and never listens. */
export interface AppDeps {
  config: ServiceConfig;
  holder: ModelHolder;
  metrics: ServiceMetrics;
  logger: Pino;
  /** The drift monitor of the current model, if any. */
  drift: () => DriftMonitor | undefined;
  /** The prediction log, or undefined when PREDICTION_LOG=off. */
  predictionLog: PredictionLog | undefined;
  /** True once shutdown has begun: readiness turns false. */
  shuttingDown: () => boolean;
}
