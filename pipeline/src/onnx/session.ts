import * as ort from 'onnxruntime-node';
import type { Dataset } from '../data/rows.ts';
import { OUTPUT_NAME } from './export.ts';

/** An onnxruntime session over an exported model. */
export type OnnxSession = ort.InferenceSession;

/**
 * The thread count for every score that is recorded or compared (evaluate's
 * metrics, the gate's head-to-head): split across threads, a tree ensemble's
 * sums may be added in another order, so the same model on the same rows would
 * score differently with the machine's core count.
 */
export const SCORING_THREADS = 1;

/**
 * Loads a model (path or bytes) into onnxruntime-node on the CPU. `threads`
 * caps its thread pools (onnxruntime's default: one thread per core).
 */
export async function createSession(
  model: string | Uint8Array,
  threads?: number,
): Promise<OnnxSession> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    ...(threads === undefined ? {} : { intraOpNumThreads: threads, interOpNumThreads: threads }),
  };
  return typeof model === 'string'
    ? ort.InferenceSession.create(model, options)
    : ort.InferenceSession.create(model, options);
}

/**
 * Builds the graph's feeds from column data: each numeric column as a float32
 * [N, 1] tensor (null is NaN, which the graph imputes), each categorical column
 * as a string [N, 1] tensor.
 */
export function feedsFromDataset(session: OnnxSession, data: Dataset): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) {
    const numeric = data.numeric[name];
    if (numeric)
      feeds[name] = new ort.Tensor('float32', Float32Array.from(numeric), [data.rows, 1]);
    else if (data.categorical[name])
      feeds[name] = new ort.Tensor('string', data.categorical[name], [data.rows, 1]);
    else throw new Error(`the model needs input '${name}', which the data does not have`);
  }
  return feeds;
}

/** Runs the session and returns the predictions as a flat Float32Array. */
export async function runSession(
  session: OnnxSession,
  feeds: Record<string, ort.Tensor>,
): Promise<Float32Array> {
  const result = await session.run(feeds);
  return result[OUTPUT_NAME]!.data as Float32Array;
}
