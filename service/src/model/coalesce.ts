/**
 * Coalesces concurrent prediction calls into one: calls made in the same
 * turn of the event loop, or while a run is in progress, are concatenated
 * into one run and each gets its own slice back. One onnxruntime call costs
 * about the same for 1 row as for 16, so under load this saves most of the
 * per-call cost; an idle service still runs each call on the next turn.
 */
export function coalesce<T>(
  run: (rows: T[]) => Promise<Float32Array>,
  maxRows: number,
): (rows: T[]) => Promise<Float32Array> {
  interface Job {
    rows: T[];
    resolve: (out: Float32Array) => void;
    reject: (error: unknown) => void;
  }
  let queue: Job[] = [];
  let running = false;
  let scheduled = false;

  const flush = async (): Promise<void> => {
    scheduled = false;
    if (running || queue.length === 0) return;
    running = true;
    // Take whole jobs up to maxRows (a single larger job still runs alone).
    let rows = 0;
    let take = 0;
    while (take < queue.length && (take === 0 || rows + queue[take]!.rows.length <= maxRows))
      rows += queue[take++]!.rows.length;
    const jobs = queue.slice(0, take);
    queue = queue.slice(take);
    try {
      const out = await run(jobs.length === 1 ? jobs[0]!.rows : jobs.flatMap((j) => j.rows));
      let offset = 0;
      for (const job of jobs) {
        job.resolve(out.subarray(offset, offset + job.rows.length));
        offset += job.rows.length;
      }
    } catch (error) {
      for (const job of jobs) job.reject(error);
    } finally {
      running = false;
      schedule();
    }
  };
  const schedule = () => {
    if (scheduled || running || queue.length === 0) return;
    scheduled = true;
    setImmediate(() => void flush());
  };
  return (rows) =>
    new Promise<Float32Array>((resolve, reject) => {
      queue.push({ rows, resolve, reject });
      schedule();
    });
}
