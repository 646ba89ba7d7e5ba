/**
 * Where a command writes is the user's to choose, so a path it cannot write
 * (a folder where a file goes, a file where a folder goes) is the user's
 * error: one line naming the path, exit 2, never "internal error" and a stack.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOUSING_CSV, ROOT, tempDir } from './helpers.ts';

function cli(name: string, args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', `pipeline/src/cli/${name}.ts`, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('an output path that cannot be written', () => {
  it('validate --report and train --out name the path, exit 2, no stack', async () => {
    const dir = await tempDir('output-paths-');
    const csv = join(dir, 'data.csv');
    const lines = (await readFile(HOUSING_CSV, 'utf8')).split('\n').slice(0, 1201);
    await writeFile(csv, `${lines.join('\n')}\n`);
    const folder = join(dir, 'a-folder');
    await mkdir(folder);
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a folder');
    const params = join(dir, 'params.yaml');
    await writeFile(
      params,
      (await readFile(join(ROOT, 'params.yaml'), 'utf8')).replace(
        /max_rounds: \d+/,
        'max_rounds: 2',
      ),
    );
    for (const [name, args, named] of [
      ['validate', ['--data', csv, '--report', folder], folder],
      ['train', ['--data', csv, '--out', file, '--test-size', '0', '--params', params], file],
    ] as const) {
      const run = cli(name, [...args]);
      expect(run.stderr, name).not.toMatch(/internal error|\n\s+at /);
      expect(run.status, `${name}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(/^error: .*cannot write/m);
      expect(run.stderr).toContain(named);
    }
  });
});
