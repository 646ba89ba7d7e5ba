/**
 * The GBDT's model bytes on several threads while every core is busy: an
 * integration test because it starts spinning worker threads, which unit
 * tests may not (test/test-projects.unit.test.ts). pipeline/bench/fit-stress.ts
 * does the same at 200,000 rows, in fresh processes with STRESS_FRESH=1.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { fitGbdt } from '../src/models/gbdt/gbdt.ts';
import { PARAMS, data, noValidation } from './gbdt-fixtures.ts';

/** Threads that spin until stopped, so that the fit's threads are descheduled at random points. */
function spinners(count: number): { stop: () => Promise<void> } {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const workers = Array.from(
    { length: count },
    () =>
      new Worker(
        `const { workerData: flag } = require('node:worker_threads'); while (Atomics.load(flag, 0) === 0) {}`,
        { eval: true, workerData: flag },
      ),
  );
  return {
    stop: async () => {
      Atomics.store(flag, 0, 1);
      await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
    },
  };
}

const sha256 = (fit: unknown) => createHash('sha256').update(JSON.stringify(fit)).digest('hex');

describe('fitGbdt on several threads under contention', () => {
  it('gives the one-thread model bytes on two and three threads, fit after fit, while every core is busy', async () => {
    const { x, y } = data(6000, 8);
    const params = { ...PARAMS, max_rounds: 8, max_leaves: 31 };
    const reference = sha256(fitGbdt(x, y, noValidation, params));
    const busy = spinners(2);
    const hashes: string[] = [];
    try {
      for (let r = 0; r < 6; r++) {
        for (const threads of [2, 3])
          hashes.push(sha256(fitGbdt(x, y, noValidation, params, undefined, { threads })));
      }
    } finally {
      await busy.stop();
    }
    expect(hashes).toEqual(new Array(12).fill(reference));
  });
});
