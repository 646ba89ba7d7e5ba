import { describe, expect, it } from 'vitest';
import { coalesce } from '../src/model/coalesce.ts';

/** A fake model that doubles each row and records the batches it was called with. */
function recorder(fail = false) {
  const calls: number[][] = [];
  const run = async (rows: number[]) => {
    calls.push(rows);
    await new Promise((done) => setTimeout(done, 5));
    if (fail) throw new Error('model failed');
    return Float32Array.from(rows, (r) => r * 2);
  };
  return { calls, run };
}

describe('coalesce', () => {
  it('joins concurrent calls into one run and gives each caller its own rows, in order', async () => {
    const { calls, run } = recorder();
    const predict = coalesce(run, 100);
    const results = await Promise.all([predict([1]), predict([2, 3]), predict([4])]);
    expect(results.map((r) => Array.from(r))).toEqual([[2], [4, 6], [8]]);
    expect(calls).toEqual([[1, 2, 3, 4]]);
  });

  it('queues calls made during a run into the next run', async () => {
    const { calls, run } = recorder();
    const predict = coalesce(run, 100);
    const first = predict([1]);
    await new Promise((done) => setImmediate(done)); // the first run has started
    const later = await Promise.all([predict([2]), predict([3])]);
    expect(Array.from(await first)).toEqual([2]);
    expect(later.map((r) => Array.from(r))).toEqual([[4], [6]]);
    expect(calls).toEqual([[1], [2, 3]]);
  });

  it('caps a run at maxRows, but never splits one call', async () => {
    const { calls, run } = recorder();
    const predict = coalesce(run, 3);
    await Promise.all([predict([1, 2]), predict([3, 4]), predict([5, 6, 7, 8])]);
    expect(calls).toEqual([
      [1, 2],
      [3, 4],
      [5, 6, 7, 8],
    ]);
  });

  it('rejects every caller of a failed run, and keeps working afterwards', async () => {
    const failing = coalesce(recorder(true).run, 10);
    const outcomes = await Promise.allSettled([failing([1]), failing([2])]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    const { run } = recorder();
    const predict = coalesce(run, 10);
    expect(Array.from(await predict([5]))).toEqual([10]);
  });
});
