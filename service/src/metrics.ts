import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { ModelCard } from '@housing/model-card/schema';
import { ConfigurationError } from '@housing/core/errors';
import { FastHistogram } from './fast-histogram.ts';

/**
 * The latency SLO threshold, in seconds: the monitoring's latency SLO counts
 * requests slower than this, so it must be a bucket boundary.
 */
export const LATENCY_SLO_SECONDS = 0.25;
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, LATENCY_SLO_SECONDS, 0.5, 1, 2.5, 5];

/** Every metric the service exports, on one registry per app instance. */
export interface ServiceMetrics {
  registry: Registry;
  /** Labels: method, route, status_code. */
  httpDuration: FastHistogram;
  httpInFlight: Gauge;
  /** Labels: model_version. */
  inferenceDuration: FastHistogram;
  predictions: Counter<'model_version'>;
  /**
   * Adds predicted rows to `predictions` without prom-client's label handling
   * on the request path: counts gather in a Map and reach the Counter when it
   * is scraped.
   */
  countPredictions(modelVersion: string, rows: number): void;
  /** No labels. */
  inputRows: FastHistogram;
  modelInfo: Gauge<'model_version' | 'data_md5' | 'git_sha'>;
  modelLoaded: Gauge;
  modelLoadTimestamp: Gauge;
  reloads: Counter<'result'>;
  trainingMetric: Gauge<'metric'>;
  trainingTargetQuantile: Gauge<'level'>;
  featureDrift: Gauge<'feature'>;
  driftTimestamp: Gauge;
  /** Rebuilt per model: its buckets come from the card's target quantiles. */
  predictionValue: FastHistogram;
  /** Predictions that received ground truth (POST /v1/feedback), by the model that made them. */
  feedback: Counter<'model_version'>;
  /** Sum of (prediction - actual)^2 over them, in the target's units squared. */
  feedbackSquaredError: Counter<'model_version'>;
  /** Sum of |prediction - actual| over them, in the target's units. */
  feedbackAbsoluteError: Counter<'model_version'>;
  /** Rows the prediction log wrote. */
  logWritten: Counter;
  /** Rows the prediction log lost, by reason: queue_full, write_failed, shutdown. */
  logDropped: Counter<'reason'>;
  /** Rows waiting in the prediction log's queue: read from `logQueueDepth` at each scrape. */
  logQueueRows: Gauge;
  /** The prediction log's queue depth; the log sets it, and it stays 0 without one. */
  logQueueDepth: () => number;
}

/** Why the prediction log dropped rows: the `reason` label of prediction_log_dropped_total. */
export const LOG_DROP_REASONS = ['queue_full', 'write_failed', 'shutdown'] as const;
export type LogDropReason = (typeof LOG_DROP_REASONS)[number];

/** Creates the metrics on a fresh registry (or the one given), with Node's defaults. */
export function createMetrics(registry = new Registry()): ServiceMetrics {
  collectDefaultMetrics({ register: registry });
  const r = [registry];
  const uncounted = new Map<string, number>();
  const metrics: ServiceMetrics = {
    registry,
    // The two histograms every prediction request feeds are FastHistograms (see there why).
    httpDuration: new FastHistogram(
      'http_request_duration_seconds',
      'HTTP request latency by method, route template and status code.',
      ['method', 'route', 'status_code'],
      HTTP_BUCKETS,
    ).register(registry),
    httpInFlight: new Gauge({
      name: 'http_requests_in_flight',
      help: 'HTTP requests being served now.',
      registers: r,
    }),
    inferenceDuration: new FastHistogram(
      'model_inference_duration_seconds',
      'onnxruntime time per inference call (one call per request, whatever its rows).',
      ['model_version'],
      [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    ).register(registry),
    predictions: new Counter({
      name: 'model_predictions_total',
      help: 'Rows predicted.',
      labelNames: ['model_version'],
      registers: r,
      collect() {
        for (const [modelVersion, rows] of uncounted)
          this.inc({ model_version: modelVersion }, rows);
        uncounted.clear();
      },
    }),
    countPredictions: (modelVersion, rows) =>
      void uncounted.set(modelVersion, (uncounted.get(modelVersion) ?? 0) + rows),
    inputRows: new FastHistogram(
      'model_input_rows',
      'Rows per prediction request (1 for /v1/predict).',
      [],
      [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
    ).register(registry),
    modelInfo: new Gauge({
      name: 'model_info',
      help: 'The model being served (always 1).',
      labelNames: ['model_version', 'data_md5', 'git_sha'],
      registers: r,
    }),
    modelLoaded: new Gauge({
      name: 'model_loaded',
      help: '1 when a model is loaded and warmed.',
      registers: r,
    }),
    modelLoadTimestamp: new Gauge({
      name: 'model_load_timestamp_seconds',
      help: 'When the model being served was loaded (Unix time).',
      registers: r,
    }),
    reloads: new Counter({
      name: 'model_reloads_total',
      help: 'Model loads and reloads, by result (success or failure).',
      labelNames: ['result'],
      registers: r,
    }),
    trainingMetric: new Gauge({
      name: 'model_training_metric',
      help: "The served model's quality at training time, from its card (test split).",
      labelNames: ['metric'],
      registers: r,
    }),
    trainingTargetQuantile: new Gauge({
      name: 'model_training_target_quantile',
      help: "Quantiles of the training target, from the served model's card; the monitoring compares predictions with them.",
      // Not "quantile": Prometheus reserves that label for summaries.
      labelNames: ['level'],
      registers: r,
    }),
    featureDrift: new Gauge({
      name: 'model_feature_drift_psi',
      help: "PSI of each feature over the recent request window against the model's training profile.",
      labelNames: ['feature'],
      registers: r,
    }),
    driftTimestamp: new Gauge({
      name: 'model_feature_drift_last_computed_timestamp_seconds',
      help: 'When model_feature_drift_psi was last computed (Unix time).',
      registers: r,
    }),
    predictionValue: predictionHistogram([100000, 200000, 300000, 400000, 500000]).register(
      registry,
    ),
    feedback: new Counter({
      name: 'model_feedback_total',
      help: 'Predictions that received ground truth through POST /v1/feedback, by the model that made them.',
      labelNames: ['model_version'],
      registers: r,
    }),
    feedbackSquaredError: new Counter({
      name: 'model_feedback_squared_error_total',
      help: "Sum of (prediction - actual)^2 over predictions with ground truth, in the target's units squared.",
      labelNames: ['model_version'],
      registers: r,
    }),
    feedbackAbsoluteError: new Counter({
      name: 'model_feedback_absolute_error_total',
      help: "Sum of |prediction - actual| over predictions with ground truth, in the target's units.",
      labelNames: ['model_version'],
      registers: r,
    }),
    logWritten: new Counter({
      name: 'prediction_log_written_total',
      help: 'Predicted rows the prediction log wrote to its store.',
      registers: r,
    }),
    logDropped: new Counter({
      name: 'prediction_log_dropped_total',
      help: 'Predicted rows the prediction log lost: queue_full, write_failed (the store refused or was unreachable), shutdown (not written by the shutdown deadline).',
      labelNames: ['reason'],
      registers: r,
    }),
    logQueueRows: new Gauge({
      name: 'prediction_log_queue_rows',
      help: 'Predicted rows waiting in the prediction log queue.',
      registers: r,
      collect() {
        this.set(metrics.logQueueDepth());
      },
    }),
    logQueueDepth: () => 0,
  };
  // Every reason exists from the start, so increase() and alerts see the first drop.
  for (const reason of LOG_DROP_REASONS) metrics.logDropped.inc({ reason }, 0);
  // Both results exist from the start, so increase() sees the first failure.
  for (const result of ['success', 'failure']) metrics.reloads.inc({ result }, 0);
  return metrics;
}

/** A model_prediction_value histogram, not yet registered: one per model. */
function predictionHistogram(buckets: number[]): FastHistogram {
  return new FastHistogram(
    'model_prediction_value',
    "Predicted values; buckets are the training target's quantiles from the model card.",
    ['model_version'],
    buckets,
  );
}

/**
 * The model-state metrics' values for one model, derived before its swap: a
 * card they cannot be derived from rejects the reload, and publishing them
 * at the swap is plain assignment that cannot fail.
 */
export interface ModelMetricValues {
  info: { model_version: string; data_md5: string; git_sha: string };
  loadedAtSeconds: number;
  training: [metric: string, value: number][];
  targetQuantiles: [level: string, value: number][];
  /** A new, unregistered model_prediction_value on the target quantiles' buckets. */
  predictionValue: FastHistogram;
}

/**
 * Derives a model's metric values from its card (one checked by
 * readModelCard). Throws, before anything is published, if the card
 * lacks what they need.
 */
export function modelMetricValues(card: ModelCard, loadedAt: Date): ModelMetricValues {
  const target = card.reference_profile.columns[card.target];
  if (target?.kind !== 'numeric')
    throw new ConfigurationError(
      `the card has no numeric profile of its target '${card.target}' for model_prediction_value's buckets`,
    );
  const training = (['rmse', 'mae', 'r2'] as const).map((name): [string, number] => [
    name,
    card.metrics[name],
  ]);
  const targetQuantiles = Object.entries(target.quantiles);
  const buckets = [...new Set(targetQuantiles.map(([, value]) => value))].sort((a, b) => a - b);
  return {
    info: { model_version: card.model_version, data_md5: card.data.md5, git_sha: card.git_sha },
    loadedAtSeconds: loadedAt.getTime() / 1000,
    training,
    targetQuantiles,
    predictionValue: predictionHistogram(buckets),
  };
}

/** Points the model-state metrics at a newly swapped-in model: assignments only, nothing to fail. */
export function publishModel(metrics: ServiceMetrics, values: ModelMetricValues): void {
  metrics.modelInfo.reset();
  metrics.modelInfo.set(values.info, 1);
  metrics.modelLoaded.set(1);
  metrics.modelLoadTimestamp.set(values.loadedAtSeconds);
  metrics.trainingMetric.reset();
  for (const [metric, value] of values.training) metrics.trainingMetric.set({ metric }, value);
  metrics.trainingTargetQuantile.reset();
  for (const [level, value] of values.targetQuantiles)
    metrics.trainingTargetQuantile.set({ level }, value);
  // The new model's live-accuracy series exist at 0 from its first scrape, so rate() sees its first feedback.
  const version = { model_version: values.info.model_version };
  for (const counter of [
    metrics.feedback,
    metrics.feedbackSquaredError,
    metrics.feedbackAbsoluteError,
  ])
    counter.inc(version, 0);
  metrics.registry.removeSingleMetric('model_prediction_value');
  metrics.predictionValue = values.predictionValue.register(metrics.registry);
}
