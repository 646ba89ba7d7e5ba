import * as ort from 'onnxruntime-node';
import type { ModelCard } from '@housing/model-card/schema';
import type { Row } from './row.ts';

/** The graph's inputs by type, and its output: what turning rows into feeds needs. */
export interface GraphSpec {
  numericInputs: string[];
  stringInputs: string[];
  output: string;
}

/** The graph's inputs and output, as the model card lists them. */
export function graphSpec(card: ModelCard): GraphSpec {
  return {
    numericInputs: card.onnx.inputs.filter((i) => i.type === 'float').map((i) => i.name),
    stringInputs: card.onnx.inputs.filter((i) => i.type === 'string').map((i) => i.name),
    output: card.onnx.output,
  };
}

/** Rows as one typed column per input, in GraphSpec order: cheap to post to a worker. */
export interface Columns {
  rows: number;
  numeric: Float32Array[];
  strings: string[][];
}

/**
 * Opens an onnxruntime session the way the service runs every model: one
 * thread, no pool. Requests are small, and pool threads spinning between
 * runs compete with the event loop for the same cores; large batches get
 * their parallelism from a worker thread instead (worker-session.ts).
 */
export function createSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
}

/** Validated rows as columns; a null numeric value becomes NaN, which the graph imputes. */
export function toColumns(rows: Row[], spec: GraphSpec): Columns {
  const n = rows.length;
  const numeric = spec.numericInputs.map((name) => {
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = rows[i]![name];
      values[i] = typeof v === 'number' ? v : NaN;
    }
    return values;
  });
  const strings = spec.stringInputs.map((name) => rows.map((r) => String(r[name])));
  return { rows: n, numeric, strings };
}

/** Runs columns through a session and returns the output column. */
export async function runColumns(
  session: ort.InferenceSession,
  spec: GraphSpec,
  columns: Columns,
): Promise<Float32Array> {
  const feeds: Record<string, ort.Tensor> = {};
  const dims = [columns.rows, 1];
  spec.numericInputs.forEach((name, i) => {
    feeds[name] = new ort.Tensor('float32', columns.numeric[i]!, dims);
  });
  spec.stringInputs.forEach((name, i) => {
    feeds[name] = new ort.Tensor('string', columns.strings[i]!, dims);
  });
  const result = await session.run(feeds);
  return result[spec.output]!.data as Float32Array;
}
