import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MODEL_CACHE_VARIABLE, sharedModel } from '../src/model-fixture.ts';

/** A trainer that writes a file and counts its calls, after yielding so that calls overlap. */
function countingTrainer() {
  const calls: string[][] = [];
  return {
    calls,
    train: async (dir: string, args: string[]) => {
      calls.push(args);
      await new Promise((done) => setTimeout(done, 50));
      await writeFile(join(dir, 'model.onnx'), JSON.stringify(args));
    },
  };
}

let cache: string;
const previous = process.env[MODEL_CACHE_VARIABLE];
beforeEach(async () => {
  cache = await mkdtemp(join(tmpdir(), 'model-fixture-test-'));
  process.env[MODEL_CACHE_VARIABLE] = cache;
});
afterEach(async () => {
  if (previous === undefined) delete process.env[MODEL_CACHE_VARIABLE];
  else process.env[MODEL_CACHE_VARIABLE] = previous;
  await rm(cache, { recursive: true, force: true });
});

describe('sharedModel: one training per distinct arguments per run', () => {
  it('trains once for callers that ask at the same time, and once more for other arguments', async () => {
    const trainer = countingTrainer();
    const [a, b, c] = await Promise.all([
      sharedModel([], trainer.train),
      sharedModel([], trainer.train),
      sharedModel(['--seed', '7'], trainer.train),
    ]);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    // Once each; in whichever order the two lock files were won (they race by design).
    expect(trainer.calls.map((args) => args.join(' ')).sort()).toEqual(['', '--seed 7']);
    expect(await readFile(join(c!, 'model.onnx'), 'utf8')).toBe('["--seed","7"]');
    // Only the two models: no lock and no staging folder is left.
    expect((await readdir(cache)).sort()).toEqual(
      [a, c].map((p) => p!.slice(cache.length + 1)).sort(),
    );
  });

  it('takes over a lock whose process is gone', async () => {
    const trainer = countingTrainer();
    const first = await sharedModel(['--probe'], () => {});
    await rm(first!, { recursive: true });
    // Above Linux's largest pid: no such process.
    await writeFile(`${first!}.lock`, '4194305');
    expect(await sharedModel(['--probe'], trainer.train)).toBe(first);
    expect(trainer.calls).toHaveLength(1);
  });

  it('leaves nothing behind when training fails, so the next caller trains', async () => {
    await expect(
      sharedModel([], () => Promise.reject(new Error('train.ts failed: bad data'))),
    ).rejects.toThrow('train.ts failed: bad data');
    expect(await readdir(cache)).toEqual([]);
    const trainer = countingTrainer();
    expect(await sharedModel([], trainer.train)).toBeDefined();
    expect(trainer.calls).toHaveLength(1);
  });

  it('is not used outside a run that provides the cache folder', async () => {
    delete process.env[MODEL_CACHE_VARIABLE];
    const trainer = countingTrainer();
    expect(await sharedModel([], trainer.train)).toBeUndefined();
    expect(trainer.calls).toEqual([]);
  });
});
