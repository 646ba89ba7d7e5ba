import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { requiredNotNull, type RowSchema } from '../contract/contract.ts';
import type { ReferenceProfile } from '../drift/profile.ts';
import type { RegressionMetrics } from '../models/metrics.ts';
import type { Params } from '../params/params.ts';
import type { TrainingReport } from '../train/train.ts';
import { ConfigurationError, errnoCode } from '@housing/core/errors';
import { parseJsonText } from '@housing/core/json-text';

/** The metrics the evaluate stage writes to reports/metrics.json and the card. */
export interface ModelMetrics extends RegressionMetrics {
  /** Validation-split metrics of the selected model, for reference. */
  validation: RegressionMetrics;
  rows_test: number;
  /** onnxruntime wall time per row, batch of the whole test set, in ms. */
  inference_ms_per_row: number;
  model_size_bytes: number;
  /** Largest relative difference between onnxruntime's and the in-memory model's predictions. */
  onnx_parity_max_relative_error: number;
}

/** A CSV the card describes: its DVC file when tracked ('' otherwise), md5, path and rows read. */
export interface DataProvenance {
  /**
   * `data.dvc` when the file lies in the DVC-tracked folder and that folder
   * matches `data.dvc`; then `md5` is that folder's hash. Else '' and the file's own md5.
   */
  dvc_file: string;
  md5: string;
  path: string;
  rows: number;
}

/**
 * The model card: one JSON file beside model.onnx that the service, the metric
 * gate and the dashboards read. `reference_profile` is heavy; the service's
 * GET /v1/model leaves it out.
 */
export interface ModelCard {
  schema_version: 1;
  model_version: string;
  model_type: 'linear' | 'gbdt';
  created_at: string;
  git_sha: string;
  /** The training data: the file the train stage split (all its rows). */
  data: DataProvenance;
  /**
   * The rows `metrics` were measured on: the held-out test split of the
   * training file (`split: 'test'`), or every row of `--test-data`
   * (`split: 'all'`). Absent from cards written before it existed.
   */
  evaluation_data?: DataProvenance & { split: 'test' | 'all' };
  params: Params;
  metrics: ModelMetrics;
  training: Omit<TrainingReport, 'reference_profile' | 'gbdt'> & {
    gbdt: Omit<TrainingReport['gbdt'], 'history'>;
  };
  /** JSON Schema of one request row: the data contract's row without the target. */
  input_contract: RowSchema;
  onnx: {
    file: string;
    sha256: string;
    inputs: { name: string; type: 'float' | 'string' }[];
    output: string;
    feature_names: string[];
  };
  target: string;
  reference_profile: ReferenceProfile;
}

/** The hex sha256 of a model's ONNX bytes: what the card records as `onnx.sha256`. */
export function onnxSha256(onnxBytes: Uint8Array): string {
  return createHash('sha256').update(onnxBytes).digest('hex');
}

/**
 * A model's version, derived from what it is: its kind and the first 12 hex
 * digits of its ONNX bytes' sha256. The same graph always gets the same
 * version, and a version names exactly one graph (the service checks it).
 */
export function modelVersionOf(kind: ModelCard['model_type'], sha256: string): string {
  return `${kind}-${sha256.slice(0, 12)}`;
}

/** The data contract's row schema without the target: what a prediction request sends. */
export function inputContract(row: RowSchema, target: string): RowSchema {
  // A request may leave out a column that admits null: absent means null, which the model
  // imputes. Training rows still carry every column (an empty CSV cell is null).
  const properties = Object.fromEntries(
    Object.entries(row.properties).filter(([name]) => name !== target),
  );
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Prediction request row',
    type: 'object',
    additionalProperties: false,
    required: requiredNotNull(row).filter((c) => c !== target),
    properties,
  };
}

/** Reads a card, or a bare metrics file, and returns its metrics (for the gate). */
export async function readMetricsOrCard(file: string): Promise<Record<string, number>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigurationError(`cannot read (${errnoCode(error) ?? 'unreadable'})`, file);
  }
  return metricsOf(parseJsonText(text, file), file);
}

/** The numeric metrics of a parsed card (its `metrics`) or bare metrics file; `source` names it in errors. */
export function metricsOf(parsed: unknown, source: string): Record<string, number> {
  const metrics = (parsed as { metrics?: unknown } | null)?.metrics ?? parsed;
  if (typeof metrics !== 'object' || metrics === null)
    throw new ConfigurationError('has no metrics object', source);
  return Object.fromEntries(
    Object.entries(metrics).filter((e): e is [string, number] => typeof e[1] === 'number'),
  );
}
