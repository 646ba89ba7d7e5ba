import type { ValidateFunction } from 'ajv/dist/2020.js';
import type * as ort from 'onnxruntime-node';
import type { ModelCard } from '@housing/model-card/schema';
import { coalesce } from './coalesce.ts';
import { runColumns, toColumns, type GraphSpec } from './onnx-session.ts';
import type { Row } from './row.ts';
import type { WorkerSession } from './worker-session.ts';

/** The most rows one coalesced onnxruntime call carries. */
const COALESCE_MAX_ROWS = 4096;
/**
 * From this many rows a request runs on the worker thread. Below it the
 * thread hop costs more than it frees: one call on the event loop costs
 * about 50 µs for 1 row and 120 µs for 64, but 1.2 ms for 1,000.
 */
const WORKER_MIN_ROWS = 256;

/**
 * A model ready to serve: its card, its compiled input contract, and two
 * onnxruntime sessions behind `predict` (one on the event loop for small
 * runs, one on a worker thread for large ones).
 */
export interface LoadedModel {
  card: ModelCard;
  version: string;
  /** ajv's validator for one row, compiled once per model. */
  validateRow: ValidateFunction;
  loadedAt: Date;
  /** Predicts rows that passed validation. */
  predict(rows: Row[]): Promise<Float32Array>;
  /** Frees what the model holds beyond memory (its worker thread) once its runs in flight end. */
  retire(): void;
}

/**
 * The warmed model as the service serves it. Retiring it stops its worker
 * once the worker's runs have answered, and releases the event-loop session
 * once its runs have: a request that took this model before the swap finishes on it.
 */
export function servingModel(
  card: ModelCard,
  validateRow: ValidateFunction,
  spec: GraphSpec,
  session: ort.InferenceSession,
  worker: WorkerSession,
): LoadedModel {
  const onThisThread = coalesce(
    (rows: Row[]) => runColumns(session, spec, toColumns(rows, spec)),
    COALESCE_MAX_ROWS,
  );
  let running = 0;
  let retired = false;
  let released = false;
  const releaseWhenIdle = () => {
    if (!retired || running > 0 || released) return;
    released = true;
    void session.release().catch(() => undefined);
  };
  const done = () => {
    running--;
    releaseWhenIdle();
  };
  return {
    card,
    version: card.model_version,
    validateRow,
    loadedAt: new Date(),
    predict: (rows) => {
      if (rows.length >= WORKER_MIN_ROWS && worker.alive) return worker.run(toColumns(rows, spec));
      running++;
      const output = onThisThread(rows);
      output.then(done, done);
      return output;
    },
    retire: () => {
      retired = true;
      worker.retire();
      releaseWhenIdle();
    },
  };
}
