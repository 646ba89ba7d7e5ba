import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readModelCard } from '@housing/model-card/read';
import { HOUSING_CSV, ROOT, tempDir } from './helpers.ts';

function run(script: string, args: string[], cwd = ROOT) {
  const result = spawnSync(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), join(ROOT, script), ...args],
    {
      cwd,
      encoding: 'utf8',
    },
  );
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
    const card = await readModelCard(join(out, 'model.card.json'));
    expect(card.data).toEqual({ dvc_file: '', md5: md5(trainText), path: trainFile, rows: 1200 });
    expect(card.evaluation_data).toEqual({
      dvc_file: '',
      md5: md5(testText),
      path: testFile,
      rows: 300,
      split: 'all',
    });
    expect(card.metrics.rows_test).toBe(300);
    // The target's bounds travel with the card, for the service's POST /v1/feedback.
    const contract = JSON.parse(
      await readFile(join(ROOT, 'pipeline/contract/housing.contract.json'), 'utf8'),
    ) as { target: string; row: { properties: Record<string, unknown> } };
    expect(card.target_contract).toEqual(contract.row.properties[contract.target]);
    expect(card.target_contract).toMatchObject({ exclusiveMinimum: 0, maximum: 1_000_000 });
  });

  it('names data.dvc and its hash only when the tracked folder matches data.dvc', async () => {
    // A data/housing.csv edited after the pull was credited with data.dvc's
    // .dir hash: the card claimed DVC-tracked data that nobody can pull.
    const dir = await tempDir('evaluate-tracked-');
    await copyFile(join(ROOT, 'data.dvc'), join(dir, 'data.dvc'));
    await mkdir(join(dir, 'data'));
    const tracked = join(dir, 'data', 'housing.csv');
    const pulled = await readFile(HOUSING_CSV, 'utf8');
    const edited = `${pulled.trimEnd().split('\n').slice(0, 1201).join('\n')}\n`;
    await writeFile(tracked, edited);
    const params = (await readFile(join(ROOT, 'params.yaml'), 'utf8'))
      .replace(/max_rounds: \d+/, 'max_rounds: 5')
      .replace(/contract: (\S+)/, (_m, path: string) => `contract: ${join(ROOT, path)}`);
    await writeFile(join(dir, 'params.yaml'), params);
    run('pipeline/src/cli/train.ts', ['--out', 'model', '--test-size', '0'], dir);
    const evaluate = () => {
      run(
        'pipeline/src/cli/evaluate.ts',
        ['--model-dir', 'model', '--test-data', 'data/housing.csv'],
        dir,
      );
      return readModelCard(join(dir, 'model', 'model.card.json'));
    };
    const local = { dvc_file: '', md5: md5(edited), path: 'data/housing.csv', rows: 1200 };
    const card = await evaluate();
    expect(card.data).toEqual(local);
    expect(card.evaluation_data).toEqual({ ...local, split: 'all' });

    // The pulled file, as data.dvc records it: then the card names data.dvc.
    await writeFile(tracked, pulled);
    const dvc = (await readFile(join(ROOT, 'data.dvc'), 'utf8')).match(/md5: (\S+)/)![1]!;
    expect((await evaluate()).evaluation_data).toEqual({
      dvc_file: 'data.dvc',
      md5: dvc,
      path: 'data/housing.csv',
      rows: 20640,
      split: 'all',
    });
  }, 120_000);
});
