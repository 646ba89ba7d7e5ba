import type { Database, DatabaseOptions } from '@housing/prediction-store/database';
import { ConfigurationError } from '@housing/core/errors';
import { startWorker, workerFile } from '../worker-thread.ts';
import type { StoreMessage, StoreRequest } from './store-worker.ts';

/** What the prediction log, its retention and /v1/feedback ask of their store. */
export type LogStore = Pick<Database, 'kind' | 'where' | 'query' | 'close'>;

const WORKER_FILE = workerFile('store-worker', import.meta.url);

interface Pending {
  resolve: (rows: never[]) => void;
  reject: (error: Error) => void;
}

/** An error from the store, with its SQLSTATE code when it had one. */
class StoreError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * Opens the store (openDatabase, migrations included) on a worker thread and
 * returns a handle whose queries run there: the event loop only posts the
 * text and parameters (one JSON string per batch of predictions) and gets the
 * rows back. Rejects as openDatabase does, with a ConfigurationError naming
 * DATABASE_URL or the folder. If the thread dies, every query fails from
 * then on: the log counts its batches as write_failed, as for a dead store.
 */
export async function openStoreThread(options: DatabaseOptions): Promise<LogStore> {
  const worker = startWorker(WORKER_FILE, options);
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let dead: Error | undefined;
  let closed: (() => void) | undefined;
  const ready = new Promise<{ store: Database['kind']; where: string }>((resolve, reject) => {
    worker.on('message', (message: StoreMessage) => {
      switch (message.kind) {
        case 'ready':
          return resolve(message);
        case 'failed':
          // A ConfigurationError's message already names where; anything else (a failed
          // migration) still stops the start with one line, never a stack.
          return reject(
            new ConfigurationError(
              message.configuration
                ? message.message
                : `the prediction log's store could not be opened: ${message.message}`,
            ),
          );
        case 'rows':
          pending.get(message.id)?.resolve(message.rows as never[]);
          return void pending.delete(message.id);
        case 'error':
          pending.get(message.id)?.reject(new StoreError(message.message, message.code));
          return void pending.delete(message.id);
        case 'closed':
          return closed?.();
      }
    });
    const stop = (error: Error) => {
      dead ??= error;
      reject(error);
      for (const { reject: fail } of pending.values()) fail(error);
      pending.clear();
      closed?.();
    };
    worker.on('error', stop);
    worker.on('exit', (code) =>
      stop(new Error(`the prediction log's store thread exited (${code})`)),
    );
  });
  const { store, where } = await ready;
  worker.unref();
  const send = (message: StoreRequest) => worker.postMessage(message);
  return {
    kind: store,
    where,
    query<Row extends object>(text: string, params?: readonly unknown[]) {
      if (dead) return Promise.reject(dead);
      const id = nextId++;
      return new Promise<Row[]>((resolve, reject) => {
        pending.set(id, { resolve: resolve, reject });
        send({ kind: 'query', id, text, params });
      });
    },
    close() {
      if (dead) return Promise.resolve();
      return new Promise<void>((resolve) => {
        closed = resolve;
        send({ kind: 'close' });
      });
    },
  };
}
