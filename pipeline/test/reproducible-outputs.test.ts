/**
 * dvc.lock is committed, so what it records of a stage must be the same every
 * time the same inputs run: two trainings and evaluations of the same data
 * write byte-identical DVC outputs and committed metrics. What the clock
 * measures (fit times, inference time, the date) lives only in files no
 * DVC output is: fit-seconds.json and the model card.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelCard } from '@housing/model-card/read';
import { HOUSING_CSV, ROOT } from './helpers.ts';

function cli(name: string, args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', `pipeline/src/cli/${name}.ts`, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
}

/** Trains and evaluates into `dir/model`, with the curve and metrics beside it. */
function trainAndEvaluate(dir: string, csv: string, params: string): void {
  const out = join(dir, 'model');
  for (const [name, args] of [
    ['train', ['--data', csv, '--out', out, '--plots', join(dir, 'curve.csv')]],
    ['evaluate', ['--model-dir', out, '--metrics', join(dir, 'metrics.json')]],
  ] as const) {
    const run = cli(name, [...args, '--params', params]);
    expect(run.status, `${name}: ${run.stderr}`).toBe(0);
  }
}

describe('what the train and evaluate stages write', () => {
  const runs: string[] = [];
  let shared: string;

  beforeAll(async () => {
    // Not tempDir(): that is removed after each test, and these runs serve all three.
    shared = await mkdtemp(join(tmpdir(), 'reproducible-'));
    const csv = join(shared, 'data.csv');
    const lines = (await readFile(HOUSING_CSV, 'utf8')).split('\n').slice(0, 2001);
    await writeFile(csv, `${lines.join('\n')}\n`);
    const params = join(shared, 'params.yaml');
    await writeFile(
      params,
      (await readFile(join(ROOT, 'params.yaml'), 'utf8'))
        .replace(/max_rounds: \d+/, 'max_rounds: 8')
        .replace(/contract: (\S+)/, (_m, path: string) => `contract: ${join(ROOT, path)}`),
    );
    for (let i = 0; i < 2; i++) {
      const dir = join(shared, `run-${i}`);
      trainAndEvaluate(dir, csv, params);
      runs.push(dir);
    }
  }, 180_000);
  afterAll(() => rm(shared, { recursive: true, force: true }));

  it('is byte for byte the same on a second run, for every file dvc.lock records', async () => {
    for (const file of [
      'model/model.onnx',
      'model/model.json',
      'model/training.json',
      'curve.csv',
      'metrics.json',
    ]) {
      const [first, second] = await Promise.all(runs.map((dir) => readFile(join(dir, file))));
      expect(first!.equals(second!), `${file} differs between two runs`).toBe(true);
    }
  });

  it('keeps the clock out of them: the times are in fit-seconds.json and the card', async () => {
    const [dir] = runs;
    const training = await readFile(join(dir!, 'model/training.json'), 'utf8');
    expect(training).not.toContain('fit_seconds');
    const metrics = JSON.parse(await readFile(join(dir!, 'metrics.json'), 'utf8')) as object;
    expect(metrics).not.toHaveProperty('inference_ms_per_row');
    const fit = JSON.parse(await readFile(join(dir!, 'model/fit-seconds.json'), 'utf8')) as {
      linear: number;
      gbdt: number;
    };
    expect(fit.linear).toBeGreaterThan(0);
    expect(fit.gbdt).toBeGreaterThan(0);
    const card = await readModelCard(join(dir!, 'model/model.card.json'));
    expect(card.metrics.inference_ms_per_row).toBeGreaterThan(0);
    expect(card.training.candidates.map((c) => [c.kind, c.fit_seconds])).toEqual([
      ['linear', fit.linear],
      ['gbdt', fit.gbdt],
    ]);
    // Everything else of the metrics is the committed file's.
    const { inference_ms_per_row: _measured, ...rest } = card.metrics;
    expect(metrics).toEqual({ model_version: card.model_version, ...rest });
  });

  it('evaluate names a missing or malformed fit-seconds.json, exit 2', async () => {
    const [, dir] = runs;
    const file = join(dir!, 'model/fit-seconds.json');
    await rm(file);
    // Were it to get that far, it would write beside the model, not into the checkout.
    const evaluate = ['--model-dir', join(dir!, 'model'), '--metrics', join(dir!, 'again.json')];
    let run = cli('evaluate', evaluate);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain(`${file}: cannot read (ENOENT); the train stage writes it`);
    await writeFile(file, '{"linear": 0.1, "gbdt": "slow"}');
    run = cli('evaluate', evaluate);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain(`${file}: 'gbdt' must be a number of seconds`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
