import { spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.ts';

describe('parseFlags: a string flag given an empty value', () => {
  it('npm run validate -- --params= exits 2 naming --params, and writes nothing', async () => {
    const cwd = await tempDir('cli-empty-flag-');
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        import.meta.resolve('tsx'),
        join(ROOT, 'pipeline/src/cli/validate.ts'),
        '--params=',
      ],
      { cwd, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^error: --params needs a value/);
    expect(await readdir(cwd)).toEqual([]);
  });
});
