/**
 * With DVC installed, `npm run data:pull` pulls data.dvc only: dvc.lock is
 * committed, and a bare `dvc pull` would also want the stage outputs it
 * records, which are rebuilt by the pipeline and never pushed. DVC cannot be
 * installed here, so a stand-in `dvc` on PATH records how it was called.
 */
import { spawnSync } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.ts';

describe('data:pull with dvc on PATH', () => {
  it('runs `dvc pull data.dvc`, with the remote when one is named', async () => {
    const bin = await tempDir('fake-dvc-');
    const calls = join(bin, 'calls.txt');
    await writeFile(join(bin, 'dvc'), `#!/bin/sh\necho "$*" >> '${calls}'\n`);
    await chmod(join(bin, 'dvc'), 0o755);
    for (const args of [[], ['--remote', 'storage']]) {
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'pipeline/src/cli/pull.ts', ...args],
        {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` },
        },
      );
      expect(run.status, run.stderr).toBe(0);
    }
    expect(await readFile(calls, 'utf8')).toBe('pull data.dvc\npull --remote storage data.dvc\n');
  });
});
