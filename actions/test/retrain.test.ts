import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelCard } from '@housing/model-card/read';
import { housingRemote } from '@housing/test-support/dvc-remote';
import { readDvcLock } from '@housing/pipeline/dvc-lock';
import { ROOT, runAction, type ActionRun } from './harness.ts';

/**
 * A checkout of the repository as the workflow sees it after `npm ci`: the
 * pipeline, its config, and the DVC pointers, with no data and no model yet.
 * node_modules is the project's own; .dvc/config.local points the remote at
 * the run's local remote of the pulled data, as a fork names its own.
 */
async function checkout(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'retrain-checkout-'));
  for (const path of [
    'dvc.yaml',
    'params.yaml',
    'data.dvc',
    'package.json',
    'tsconfig.json',
    'pipeline',
    '.dvc/config',
  ])
    await cp(join(ROOT, path), join(dir, path), { recursive: true });
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  await writeFile(
    join(dir, '.dvc/config.local'),
    `['remote "shared"']\n    url = ${housingRemote()}\n`,
  );
  await mkdir(join(dir, 'models'), { recursive: true });
  return dir;
}

describe('retrain (bundled dist, as a child process, in a fresh checkout)', () => {
  let dir: string;
  let run: ActionRun;

  beforeAll(async () => {
    dir = await checkout();
    // As ct.yml runs when the retrain relay asks: a workflow_dispatch with the relay's inputs.
    run = await runAction('retrain', {
      cwd: dir,
      event: 'workflow_dispatch',
      eventFile: 'workflow_dispatch-relay.json',
      inputs: { dvc: 'false' },
    });
  }, 240_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('pulls the data, runs every stage and outputs the model it made', async () => {
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain('::group::Pull the data (built-in)');
    for (const stage of ['validate', 'train', 'evaluate'])
      expect(run.stdout).toContain(`stage ${stage}`);
    const card = await readModelCard(join(dir, 'artifacts/model.card.json'));
    expect(run.outputs).toEqual({
      'model-version': card.model_version,
      'model-path': 'artifacts/model.onnx',
      'card-path': 'artifacts/model.card.json',
      'metrics-path': 'reports/metrics.json',
      'lock-path': 'dvc.lock',
      'report-paths': 'reports/validation.json\nreports/training_curve.csv\nreports/metrics.json',
    });
    expect(card.model_version).toMatch(/^gbdt-[0-9a-f]{12}$/);
  });

  it('leaves dvc.lock recording every stage and the reports it names, as they are on disk', async () => {
    const lock = await readDvcLock(join(dir, 'dvc.lock'));
    expect(Object.keys(lock.stages)).toEqual(['validate', 'train', 'evaluate']);
    const outs = Object.values(lock.stages).flatMap((stage) => stage.outs ?? []);
    for (const report of run.outputs['report-paths']!.split('\n')) {
      const bytes = await readFile(join(dir, report));
      expect(outs.find((out) => out.path === report)).toEqual({
        path: report,
        hash: 'md5',
        md5: createHash('md5').update(bytes).digest('hex'),
        size: bytes.length,
      });
    }
    expect(JSON.parse(await readFile(join(dir, 'reports/metrics.json'), 'utf8'))).toMatchObject({
      model_version: (await readModelCard(join(dir, 'artifacts/model.card.json'))).model_version,
    });
  });

  it('writes a metrics table and Mermaid charts of feature importance and the loss curve', async () => {
    expect(run.summary).toMatch(/^## Retrained: `gbdt-[0-9a-f]{12}`/);
    expect(run.summary).toMatch(/\| test \| \d{5} \| \d{5} \| 0\.8\d{3} \|/);
    const charts = [...run.summary.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(charts).toHaveLength(2);
    expect(charts[0]).toMatch(/^xychart-beta horizontal\n {2}x-axis \["median_income", /);
    // Rounds from the first to the last of the training curve, thinned evenly when there are many.
    const rounds = /x-axis "round" \[([\d, ]+)\]/.exec(charts[1]!)![1]!.split(', ').map(Number);
    const curve = (await readFile(join(dir, 'reports/training_curve.csv'), 'utf8')).trim();
    expect(rounds[0]).toBe(1);
    expect(rounds.at(-1)).toBe(Number(curve.split('\n').at(-1)!.split(',')[0]));
    expect(rounds.every((r, i) => i === 0 || r > rounds[i - 1]!)).toBe(true);
    expect(charts[1]!.match(/^ {2}line \[/gm)).toHaveLength(2);
  });

  it('fails with the reason when the data cannot be pulled', async () => {
    const broken = await checkout();
    try {
      await writeFile(
        join(broken, '.dvc/config.local'),
        `['remote "shared"']\n    url = ${join(broken, 'nowhere')}\n`,
      );
      const failed = await runAction('retrain', { cwd: broken, inputs: { dvc: 'false' } });
      expect(failed.code).toBe(1);
      expect(failed.annotations.at(-1)?.message).toMatch(/nowhere/);
      expect(failed.stdout).not.toMatch(/\n\s+at /);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });
});
