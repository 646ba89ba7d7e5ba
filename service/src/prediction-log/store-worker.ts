/**
 * The prediction log's store on a worker thread (see store-thread.ts for the
 * other side): the embedded PGlite runs its SQL in WebAssembly on the thread
 * that calls it, about 45 µs of CPU per logged row, and pg parses every
 * answer there too. Here that work leaves the event loop that serves
 * predictions. Started with the store's options in workerData, it answers
 * `ready` or `failed`, then one message per query, and `closed` when told to close.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  openDatabase,
  type Database,
  type DatabaseOptions,
} from '@housing/prediction-store/database';
import { ConfigurationError, errorMessage } from '@housing/core/errors';

/** A query to run: its text and parameters, and an id to answer with. */
export interface QueryMessage {
  kind: 'query';
  id: number;
  text: string;
  params: readonly unknown[] | undefined;
}

/** What the main thread posts. */
export type StoreRequest = QueryMessage | { kind: 'close' };

/** Everything the worker posts back. */
export type StoreMessage =
  | { kind: 'ready'; store: Database['kind']; where: string }
  | { kind: 'failed'; message: string; configuration: boolean }
  | { kind: 'rows'; id: number; rows: unknown[] }
  | { kind: 'error'; id: number; message: string; code: string | undefined }
  | { kind: 'closed' };

const port = parentPort;
if (!port) throw new Error('store-worker.ts runs as a worker thread, not on its own');
const post = (message: StoreMessage) => port.postMessage(message);

let db: Database;
try {
  db = await openDatabase(workerData as DatabaseOptions);
  post({ kind: 'ready', store: db.kind, where: db.where });
} catch (error) {
  post({
    kind: 'failed',
    message: errorMessage(error),
    configuration: error instanceof ConfigurationError,
  });
  port.close();
  throw error;
}

port.on('message', (message: StoreRequest) => {
  if (message.kind === 'close') {
    void db
      .close()
      .catch(() => undefined)
      .then(() => {
        post({ kind: 'closed' });
        port.close();
      });
    return;
  }
  db.query(message.text, message.params).then(
    (rows) => post({ kind: 'rows', id: message.id, rows }),
    (error: unknown) => {
      const code = (error as { code?: unknown }).code;
      post({
        kind: 'error',
        id: message.id,
        message: errorMessage(error),
        code: typeof code === 'string' ? code : undefined,
      });
    },
  );
});
