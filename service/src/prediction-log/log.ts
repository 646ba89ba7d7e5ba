import type { Logger as Pino } from 'pino';
import type { LogStore } from './store-thread.ts';
import { insertPredictions, type PredictionRecord } from '@housing/prediction-store/queries';
import type { PredictionLogConfig } from '../config.ts';
import type { LogDropReason, ServiceMetrics } from '../metrics.ts';
import type { Row } from '../model/row.ts';

/** At most one warning about failed writes per this long: a dead store must not flood the log. */
export const WRITE_WARNING_INTERVAL_MS = 60_000;

/** One request's predictions, queued as they were answered: nothing is copied on the request path. */
interface Pending {
  requestId: string;
  /** Date.now() when it was recorded. */
  at: number;
  modelVersion: string;
  rows: readonly Row[];
  outputs: Float32Array;
  ids: readonly string[];
  /** Rows of this request already taken into a batch. */
  taken: number;
}

/**
 * The prediction log: predictions are queued by {@link PredictionLog.record}
 * on the request path and written to the store in batches, one multi-row
 * INSERT each, off it. The request path pays for one array push; a slow store
 * only lets the queue grow to its bound, past which new rows are dropped and
 * counted; a dead one makes writes fail, counted and warned about. Neither
 * ever fails or delays a prediction.
 *
 * One write runs at a time: a batch of 1,000 rows is one statement, so
 * parallel writes would buy little and would compete with predictions for the
 * same cores (the embedded store runs on this thread).
 */
export class PredictionLog {
  private readonly queue: Pending[] = [];
  /** Index of the queue's first entry still pending (shifting an array is O(n)). */
  private head = 0;
  private queued = 0;
  private writing: Promise<void> | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private lastWarning = -Infinity;
  private readonly dropFull;
  /** Rows of the batch being written now. */
  private writingRows = 0;
  /** Set when close() gave up waiting for a write: its outcome is no longer counted. */
  private abandoned = false;

  constructor(
    readonly db: LogStore,
    private readonly config: PredictionLogConfig,
    private readonly metrics: ServiceMetrics,
    private readonly logger: Pino,
  ) {
    // A child with the label bound: inc() then skips prom-client's label hashing.
    this.dropFull = metrics.logDropped.labels('queue_full');
    metrics.logQueueDepth = () => this.queued;
    this.timer = setInterval(() => this.flush(false), config.flushIntervalMs);
    this.timer.unref();
  }

  /** Rows waiting to be written. */
  get queuedRows(): number {
    return this.queued;
  }

  /**
   * Queues one request's predictions: `ids[i]` names `outputs[i]`, predicted
   * from `rows[i]`. Synchronous and O(1) whatever the rows: it neither awaits
   * nor throws, and never copies a row. A request that does not fit the queue
   * whole is dropped whole, counted as `queue_full`.
   */
  record(
    requestId: string,
    modelVersion: string,
    rows: readonly Row[],
    outputs: Float32Array,
    ids: readonly string[],
  ): void {
    try {
      const n = rows.length;
      if (this.closed) return this.drop('shutdown', n);
      if (this.queued + n > this.config.queueRows) return void this.dropFull.inc(n);
      this.queue.push({ requestId, at: Date.now(), modelVersion, rows, outputs, ids, taken: 0 });
      this.queued += n;
      // A full batch is written now (on the next turn, after this response), not at the timer.
      if (this.queued >= this.config.batchRows && !this.writing && !this.immediate)
        this.immediate = setImmediate(() => {
          this.immediate = undefined;
          this.flush(true);
        });
    } catch {
      // Nothing here should throw; if it did, the prediction still stands.
    }
  }

  /**
   * Stops taking rows and writes what is queued until `deadline` (epoch ms);
   * whatever is left then, or was being written, is counted as `shutdown`.
   * Then closes the store, waiting for it no later than the deadline either.
   */
  async close(deadline: number): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    while (Date.now() < deadline) {
      if (!this.writing) {
        if (this.queued === 0) break;
        this.flush(false);
      }
      if (!this.writing || !(await beforeDeadline(this.writing, deadline))) break;
    }
    if (this.writing) {
      // Its outcome arrives after we stopped waiting: counted here, not again then.
      this.abandoned = true;
      this.drop('shutdown', this.writingRows);
    }
    this.drop('shutdown', this.queued);
    this.queue.length = this.head = this.queued = 0;
    await beforeDeadline(
      this.db.close().catch(() => undefined),
      Math.max(deadline, Date.now() + 100),
    );
  }

  /** Starts writing batches, unless a write is running: full ones only, or everything. */
  private flush(fullOnly: boolean): void {
    if (this.writing || this.queued === 0) return;
    this.writing = this.writeBatches(fullOnly).finally(() => {
      this.writing = undefined;
    });
  }

  private async writeBatches(fullOnly: boolean): Promise<void> {
    while (this.queued > 0 && (!fullOnly || this.queued >= this.config.batchRows)) {
      const records = this.take(this.config.batchRows);
      this.writingRows = records.length;
      try {
        await insertPredictions(this.db, records);
        if (!this.abandoned) this.metrics.logWritten.inc(records.length);
      } catch (error) {
        if (!this.abandoned) {
          this.drop('write_failed', records.length);
          this.warn(error, records.length);
        }
      }
      this.writingRows = 0;
      if (this.abandoned) return;
    }
  }

  /** Takes up to `max` rows off the queue's front as records, splitting a request if it must. */
  private take(max: number): PredictionRecord[] {
    const records: PredictionRecord[] = [];
    const inputs = this.config.inputs;
    while (records.length < max && this.head < this.queue.length) {
      const entry = this.queue[this.head]!;
      const predictedAt = new Date(entry.at).toISOString();
      const end = Math.min(entry.rows.length, entry.taken + (max - records.length));
      for (let i = entry.taken; i < end; i++)
        records.push({
          id: entry.ids[i]!,
          request_id: entry.requestId,
          row_index: i,
          predicted_at: predictedAt,
          model_version: entry.modelVersion,
          input: inputs ? entry.rows[i] : null,
          output: entry.outputs[i]!,
        });
      entry.taken = end;
      if (end === entry.rows.length) this.queue[this.head++] = undefined as never;
    }
    this.queued -= records.length;
    // Drop the consumed front once it is most of the array, so pushes stay amortised O(1).
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return records;
  }

  private drop(reason: LogDropReason, rows: number): void {
    if (rows > 0) this.metrics.logDropped.inc({ reason }, rows);
  }

  /**
   * One warning per WRITE_WARNING_INTERVAL_MS, naming the store and the error's
   * SQLSTATE code or, for a connection error, its message: a database error's
   * message may quote a value, and the log never holds row data.
   */
  private warn(error: unknown, rows: number): void {
    const now = Date.now();
    if (now - this.lastWarning < WRITE_WARNING_INTERVAL_MS) return;
    this.lastWarning = now;
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
    this.logger.warn(
      {
        store: this.db.where,
        rows,
        ...(sqlState ? { sqlstate: sqlState } : { err: String(message ?? error) }),
      },
      'prediction log: a write failed; its rows are dropped (prediction_log_dropped_total{reason="write_failed"}); next warning in 60 s at the earliest',
    );
  }
}

/** Whether `work` settled before `deadline` (epoch ms); it is not cancelled either way. */
async function beforeDeadline(work: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([
      work.then(
        () => true as const,
        () => true as const,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
