import { createHash } from 'node:crypto';
import type { Dataset } from '../data/rows.ts';
import { regressionMetrics, type RegressionMetrics } from '../models/metrics.ts';
import { createSession, feedsFromDataset, runSession, SCORING_THREADS } from '../onnx/session.ts';
import { ConfigurationError, errorMessage } from '@housing/core/errors';

/** A model's scores on a set of rows, and which rows they were. */
export interface ScoredModel extends RegressionMetrics {
  model_version: string;
  /** How many rows were scored. */
  rows: number;
  /** sha256 of the scored rows' CSV line numbers, in order: equal only for the same rows. */
  rows_sha256: string;
}

/** The fingerprint of a dataset's rows: their CSV line numbers, hashed. */
export function rowsSha256(data: Dataset): string {
  return createHash('sha256')
    .update(new Uint8Array(data.lines.buffer, data.lines.byteOffset, data.lines.byteLength))
    .digest('hex');
}

/**
 * Scores a graph on `data` through onnxruntime, as the evaluate stage scores
 * a model (the same session, feeds and metrics), and records which rows it
 * scored. The session is released afterwards.
 */
export async function scoreOnRows(
  model: { onnx: Uint8Array; onnxPath: string; version: string },
  data: Dataset,
  target: string,
): Promise<ScoredModel> {
  // As evaluate scores: the candidate's score here must equal the one its card records.
  const session = await createSession(model.onnx, SCORING_THREADS).catch((error: unknown) => {
    throw new ConfigurationError(
      `onnxruntime cannot load the model: ${errorMessage(error).split('\n')[0]}`,
      model.onnxPath,
    );
  });
  try {
    const predictions = await runSession(session, feedsFromDataset(session, data));
    return {
      model_version: model.version,
      ...regressionMetrics(predictions, data.numeric[target]!),
      rows: data.rows,
      rows_sha256: rowsSha256(data),
    };
  } finally {
    await session.release();
  }
}
