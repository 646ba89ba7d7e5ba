import { spawnSync } from 'node:child_process';
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GateReport } from '../src/gate/head-to-head.ts';
import { trainModel } from '@housing/test-support/service';
import { HOUSING_CSV, ROOT, tempDir } from './helpers.ts';

/** `npm run gate --head-to-head`: both graphs scored on the candidate's own test rows. */
describe('npm run gate --head-to-head (the CLI)', () => {
  let a: string;
  let b: string;
  beforeAll(async () => {
    a = await trainModel();
    b = await trainModel(['--seed', '7']);
  }, 120_000);
  afterAll(async () => {
    for (const dir of [a, b]) await rm(dir, { recursive: true, force: true });
  });

  async function gate(args: string[]) {
    const dir = await tempDir('gate-h2h-');
    const report = join(dir, 'gate.json');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'pipeline/src/cli/gate.ts', '--report', report, ...args],
      { cwd: ROOT, encoding: 'utf8' },
    );
    return { ...run, dir, report };
  }
  /** The gate with --head-to-head on two cards, and any more flags. */
  const headToHead = (candidate: string, baseline: string, ...more: string[]) =>
    gate(['--head-to-head', '--candidate', candidate, '--baseline', baseline, ...more]);

  it("scores both on the candidate's test rows: a model against itself is level", async () => {
    const card = join(a, 'model.card.json');
    const run = await headToHead(card, card);
    expect(run.status, run.stderr).toBe(0);
    const { head_to_head: duel, rows } = JSON.parse(
      await readFile(run.report, 'utf8'),
    ) as GateReport;
    const recorded = (
      JSON.parse(await readFile(card, 'utf8')) as { metrics: { rmse: number; rows_test: number } }
    ).metrics;
    expect(duel?.data).toMatchObject({
      path: HOUSING_CSV,
      split: 'test',
      rows: recorded.rows_test,
    });
    expect(duel?.baseline).toEqual(duel?.candidate);
    expect(duel?.candidate.rmse).toBeCloseTo(recorded.rmse, 6);
    expect(rows.map((r) => r.delta)).toEqual([0, 0, 0]);
  });

  it('refuses a baseline graph that is not the one its card describes, naming the file', async () => {
    const card = join(a, 'model.card.json');
    const run = await headToHead(card, card, '--baseline-model', join(b, 'model.onnx'));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(
        `^error: ${join(b, 'model.onnx')}: the file's sha256 is [0-9a-f]{64}, but the card's /onnx/sha256 is`,
      ),
    );
  });

  it('refuses data that is not what the candidate was evaluated on', async () => {
    const dir = await tempDir('gate-h2h-data-');
    const lines = (await readFile(HOUSING_CSV, 'utf8')).trimEnd().split('\n');
    const csv = join(dir, 'housing.csv');
    await writeFile(csv, `${lines.slice(0, -1).join('\n')}\n`);
    const card = JSON.parse(await readFile(join(a, 'model.card.json'), 'utf8')) as {
      evaluation_data: { path: string; md5: string };
    };
    card.evaluation_data.path = csv;
    await writeFile(join(dir, 'model.card.json'), JSON.stringify(card));
    await copyFile(join(a, 'model.onnx'), join(dir, 'model.onnx'));
    const run = await headToHead(join(dir, 'model.card.json'), join(b, 'model.card.json'));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      `error: ${join(dir, 'model.card.json')}: ${csv} is not the data the model was evaluated on: its md5 is`,
    );
    expect(run.stderr).toContain(`the card's /evaluation_data/md5 is ${card.evaluation_data.md5}`);
  });

  it('takes the model flags only with --head-to-head', async () => {
    const card = join(a, 'model.card.json');
    const run = await gate(['--candidate', card, '--baseline', card, '--baseline-model', 'x.onnx']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('error: --baseline-model: applies only with --head-to-head\n');
  });
});
