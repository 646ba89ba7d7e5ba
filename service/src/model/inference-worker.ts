/**
 * The inference worker thread: one onnxruntime session of its own, running
 * large batches off the event loop (see worker-session.ts for the protocol's
 * other side). It is started with the model bytes and graph spec in
 * workerData, answers `ready` or `failed`, then one message per run.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSession, runColumns, type Columns, type GraphSpec } from './onnx-session.ts';

/** What the worker is started with. */
export interface WorkerInit {
  model: Uint8Array;
  spec: GraphSpec;
}

/** A run request: the rows as columns, and an id to answer with. */
export interface RunMessage {
  id: number;
  columns: Columns;
}

/** Everything the worker posts back. */
export type WorkerMessage =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string }
  | { kind: 'result'; id: number; output: Float32Array }
  | { kind: 'error'; id: number; message: string };

const port = parentPort;
if (!port) throw new Error('inference-worker.ts runs as a worker thread, not on its own');
const { model, spec } = workerData as WorkerInit;
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);
const firstLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';

try {
  const session = await createSession(model);
  port.on('message', ({ id, columns }: RunMessage) => {
    runColumns(session, spec, columns).then(
      (output) => {
        // A copy of our own to transfer: onnxruntime owns the buffer behind its tensors.
        const owned = output.slice();
        post({ kind: 'result', id, output: owned }, [owned.buffer]);
      },
      (error: unknown) => post({ kind: 'error', id, message: firstLine(error) }),
    );
  });
  post({ kind: 'ready' });
} catch (error) {
  post({ kind: 'failed', message: firstLine(error) });
}
