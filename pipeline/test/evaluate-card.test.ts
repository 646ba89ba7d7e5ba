import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelCard } from '../src/card/card.ts';
import { HOUSING_CSV, ROOT, tempDir } from './helpers.ts';

function run(script: string, args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(result.stderr).not.toMatch(/internal error/);
  expect(result.status, result.stderr).toBe(0);
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

describe('evaluate --test-data', () => {
  it('writes a card whose data is the training file and whose evaluation_data is the test file', async () => {
    const dir = await tempDir('evaluate-card-');
    const lines = (await readFile(HOUSING_CSV, 'utf8')).trimEnd().split('\n');
    const trainText = `${lines.slice(0, 1201).join('\n')}\n`;
    const testText = `${[lines[0], ...lines.slice(5001, 5301)].join('\n')}\n`;
    const trainFile = join(dir, 'train.csv');
    const testFile = join(dir, 'test.csv');
    await writeFile(trainFile, trainText);
    await writeFile(testFile, testText);
    // Few rounds: this test is about the card, not the model.
    const params = (await readFile(join(ROOT, 'params.yaml'), 'utf8')).replace(
      /max_rounds: \d+/,
      'max_rounds: 5',
    );
    await writeFile(join(dir, 'params.yaml'), params);
    const out = join(dir, 'model');
    run('pipeline/src/cli/train.ts', [
      ...['--data', trainFile, '--out', out, '--test-size', '0'],
      ...['--params', join(dir, 'params.yaml')],
    ]);
    run('pipeline/src/cli/evaluate.ts', [
      ...['--model-dir', out, '--test-data', testFile],
      ...['--metrics', join(dir, 'metrics.json'), '--params', join(dir, 'params.yaml')],
    ]);
    const card = JSON.parse(await readFile(join(out, 'model.card.json'), 'utf8')) as ModelCard;
    expect(card.data).toEqual({ dvc_file: '', md5: md5(trainText), path: trainFile, rows: 1200 });
    expect(card.evaluation_data).toEqual({
      dvc_file: '',
      md5: md5(testText),
      path: testFile,
      rows: 300,
      split: 'all',
    });
    expect(card.metrics.rows_test).toBe(300);
  });
});
