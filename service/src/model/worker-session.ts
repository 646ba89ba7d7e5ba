import type { Worker } from 'node:worker_threads';
import { startWorker, workerFile } from '../worker-thread.ts';
import type { Columns, GraphSpec } from './onnx-session.ts';
import type { RunMessage, WorkerInit, WorkerMessage } from './inference-worker.ts';

/**
 * The worker's file beside this one: `inference-worker.ts` when the service
 * runs from source (under tsx), `inference-worker.mjs` beside the bundle
 * (service/build.mjs builds both entry points into service/dist).
 */
const WORKER_FILE = workerFile('inference-worker', import.meta.url);

/** Starts the inference worker thread (see ../worker-thread.ts for how, from source). */
const startInferenceWorker = (init: WorkerInit): Worker => startWorker(WORKER_FILE, init);

interface Pending {
  resolve: (output: Float32Array) => void;
  reject: (error: Error) => void;
}

/**
 * An onnxruntime session on a worker thread. Large batches run there so the
 * event loop can parse and validate the next request on the other core
 * meanwhile. Runs queue in the worker and answer in order.
 *
 * If the worker dies, its pending runs fail, `alive` turns false (the
 * caller runs on its own thread from then on) and `onCrash` says why.
 */
export class WorkerSession {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private retiring = false;
  private stopped = false;

  private constructor(
    private readonly worker: Worker,
    onCrash: (reason: string) => void,
  ) {
    worker.on('message', (message: WorkerMessage) => {
      if (message.kind !== 'result' && message.kind !== 'error') return;
      const job = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (this.pending.size === 0) worker.unref();
      if (message.kind === 'result') job?.resolve(message.output);
      else job?.reject(new Error(message.message));
      if (this.retiring && this.pending.size === 0) void this.worker.terminate();
    });
    const stop = (reason: string) => {
      if (this.stopped) return;
      this.stopped = true;
      if (!this.retiring) onCrash(reason);
      for (const job of this.pending.values())
        job.reject(new Error(`the inference worker stopped: ${reason}`));
      this.pending.clear();
    };
    worker.on('error', (error) => stop(error.message));
    worker.on('exit', (code) => stop(`exit code ${code}`));
    // Idle, the worker does not keep the process alive: shutdown is the server's to decide.
    // (After the listeners: attaching the first 'message' listener refs the worker again.)
    worker.unref();
  }

  /** Starts a worker on the model and waits until its session is open; rejects with its error. */
  static start(
    model: Uint8Array,
    spec: GraphSpec,
    onCrash: (reason: string) => void = () => {},
  ): Promise<WorkerSession> {
    const worker = startInferenceWorker({ model, spec });
    return new Promise((resolve, reject) => {
      const onMessage = (message: WorkerMessage) => {
        if (message.kind === 'ready') {
          cleanup();
          resolve(new WorkerSession(worker, onCrash));
        } else if (message.kind === 'failed') {
          cleanup();
          void worker.terminate();
          reject(new Error(message.message));
        }
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`the inference worker exited with code ${code} before it was ready`));
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
    });
  }

  /** False once the worker has stopped, by retirement or by a crash. */
  get alive(): boolean {
    return !this.stopped;
  }

  /** Runs columns on the worker; the numeric columns' buffers are transferred, not copied. */
  run(columns: Columns): Promise<Float32Array> {
    if (this.stopped) return Promise.reject(new Error('the inference worker has stopped'));
    const id = this.nextId++;
    const message: RunMessage = { id, columns };
    return new Promise((resolve, reject) => {
      // A run in flight keeps the process alive until it answers.
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(
        message,
        columns.numeric.map((c) => c.buffer as ArrayBuffer),
      );
    });
  }

  /** Stops the worker now; runs in flight fail (a load that failed discards its worker). */
  stop(): void {
    this.retiring = true;
    void this.worker.terminate();
  }

  /** Stops the worker once the runs in flight have answered (a reload retires the old model). */
  retire(): void {
    this.retiring = true;
    if (this.pending.size === 0) void this.worker.terminate();
  }
}
