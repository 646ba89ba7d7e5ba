import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CommandError } from '@housing/core/errors';
import { silentLogger } from '@housing/core/logger';
import { openDatabase } from '@housing/prediction-store/database';
import { refreshData } from '../src/refresh/refresh.ts';
import { tempDir } from './helpers.ts';
import { housingRows, logPredictions, makeCheckout, shifted } from './refresh-fixture.ts';

/**
 * data:refresh with DVC installed pulls and pushes through it: `dvc pull
 * data.dvc`, then `dvc push` of a temporary .dvc file naming the new
 * version (data.dvc changes only once that succeeded). DVC cannot be
 * installed here, so a stand-in `dvc` on PATH records how it was called and
 * keeps the .dvc file it was asked to push.
 */
let logDir: string;
let bin: string;
const savedPath = process.env.PATH;

beforeAll(async () => {
  logDir = join(await mkdtemp(join(tmpdir(), 'refresh-dvc-log-')), 'log');
  const db = await openDatabase({ dir: logDir });
  await logPredictions(
    db,
    (await housingRows(2, 800)).map((r) => ({ input: r.input, actual: shifted(r.target, 21) })),
  );
  await db.close();
});
afterAll(async () => {
  await rm(join(logDir, '..'), { recursive: true, force: true });
});
afterEach(() => {
  process.env.PATH = savedPath;
  delete process.env.FAKE_DVC_FAIL_PUSH;
});

async function standInDvc(): Promise<void> {
  bin = await tempDir('fake-dvc-');
  await writeFile(
    join(bin, 'dvc'),
    `#!/bin/sh\necho "$*" >> '${bin}/calls.txt'\nif [ "$1" = push ]; then\n  for a; do last="$a"; done\n  cp "$last" '${bin}/pushed.dvc'\n  [ -z "$FAKE_DVC_FAIL_PUSH" ] || exit 1\nfi\nexit 0\n`,
  );
  await chmod(join(bin, 'dvc'), 0o755);
  process.env.PATH = `${bin}${delimiter}${savedPath ?? ''}`;
}

describe('data:refresh with dvc on PATH', () => {
  it('pulls data.dvc and pushes the new version with dvc, then writes data.dvc', async () => {
    await standInDvc();
    const { repo } = await makeCheckout();
    const result = await refreshData({
      root: repo,
      remote: 'store',
      store: { url: undefined, dir: logDir },
      useDvc: true,
      logger: silentLogger,
    });
    expect(result.kind).toBe('refreshed');
    const calls = (await readFile(join(bin, 'calls.txt'), 'utf8')).trimEnd().split('\n');
    expect(calls[0]).toBe('pull --remote store data.dvc');
    expect(calls[1]).toMatch(/^push --remote store \.data-refresh-\d+\.dvc$/);
    expect(calls).toHaveLength(2);
    // What dvc was asked to push is the data.dvc that was then put in place.
    expect(await readFile(join(bin, 'pushed.dvc'), 'utf8')).toBe(
      await readFile(join(repo, 'data.dvc'), 'utf8'),
    );
    // The temporary .dvc file is gone.
    expect((await readdir(repo)).filter((name) => name.startsWith('.data-refresh'))).toEqual([]);
  });

  it('leaves data/ and data.dvc as they were when dvc push fails, naming the command', async () => {
    await standInDvc();
    process.env.FAKE_DVC_FAIL_PUSH = '1';
    const { repo } = await makeCheckout();
    const before = await readFile(join(repo, 'data.dvc'), 'utf8');
    const failed = refreshData({
      root: repo,
      store: { url: undefined, dir: logDir },
      useDvc: true,
      logger: silentLogger,
    });
    await expect(failed).rejects.toBeInstanceOf(CommandError);
    await expect(failed).rejects.toThrow(
      /^dvc push \(data\.dvc and data\/ are unchanged\): dvc push \.data-refresh-\d+\.dvc exited 1$/,
    );
    expect(await readFile(join(repo, 'data.dvc'), 'utf8')).toBe(before);
    expect(await readdir(join(repo, 'data'))).toEqual(['housing.csv']);
    expect(
      (await readdir(repo)).filter(
        (name) => name.includes('.tmp-') || name.startsWith('.data-refresh'),
      ),
    ).toEqual([]);
  });
});
