/**
 * `train --seed` and `--test-size` override params.yaml, so they obey its
 * schema: a value params.yaml would refuse is refused on the command line
 * too, naming the flag; and a seed is one the split's 32-bit generator can
 * tell apart (the card records it as the model's provenance).
 */
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseParams } from '../src/params/params.ts';
import { HOUSING_CSV, ROOT, tempDir } from './helpers.ts';

describe('train --seed and --test-size', () => {
  it('refuse what params.yaml refuses, and seeds the split generator cannot hold', async () => {
    const dir = await tempDir('train-flags-');
    const csv = join(dir, 'data.csv');
    const lines = (await readFile(HOUSING_CSV, 'utf8')).split('\n').slice(0, 301);
    await writeFile(csv, `${lines.join('\n')}\n`);
    // Each of these trained, and the card recorded a seed or share the split never used:
    // 1e300 and 4294967296 split as seed 0, -1 as 4294967295, 1.5 as 1.
    for (const [flag, value] of [
      ['--seed', '1e300'],
      ['--seed', '4294967296'],
      ['--seed', '-1'],
      ['--seed', '1.5'],
      ['--test-size', '-0.5'],
      ['--test-size', '1'],
    ] as const) {
      const run = spawnSync(
        process.execPath,
        [
          ...['--import', 'tsx', 'pipeline/src/cli/train.ts'],
          ...['--data', csv, '--out', join(dir, 'out'), `${flag}=${value}`],
        ],
        { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
      );
      expect(run.status, `${flag}=${value}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^error: ${flag} must `));
      expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    }
    const params = await readFile(join(ROOT, 'params.yaml'), 'utf8');
    expect(() => parseParams(params.replace(/^seed: \d+/m, 'seed: 4294967296'), 'p.yaml')).toThrow(
      /seed/,
    );
  });
});
