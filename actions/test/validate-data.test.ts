import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startFakeGitHub, type FakeGitHub } from '@housing/test-support/fake-github';
import { HOUSING_CSV } from '@housing/test-support/root';
import { trainModel } from '@housing/test-support/service';
import { ROOT, runAction } from './harness.ts';
import { modelRelease, productionFile, versionOf } from './model-releases.ts';

const TOKEN = 'ghs_validateTokenForTheLoopbackApi0123';

describe('validate-data (bundled dist, as a child process)', () => {
  let dir: string;
  /** A params.yaml whose production card does not exist: a first run, no production model. */
  let firstRun: string;
  /** A deploy/production.yml that names no model yet. */
  let noProduction: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'validate-data-'));
    noProduction = await productionFile(dir, 'none', null);
    const params = parse(await readFile(join(ROOT, 'params.yaml'), 'utf8')) as {
      validate: { reference: string };
    };
    params.validate.reference = join(dir, 'models/production/model.card.json');
    firstRun = join(dir, 'params.yaml');
    await writeFile(firstRun, stringify(params));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('passes the clean dataset, with outputs, a report and a summary', async () => {
    const report = join(dir, 'clean.json');
    const run = await runAction('validate-data', {
      inputs: {
        data: HOUSING_CSV,
        params: firstRun,
        'desired-state': noProduction,
        'report-path': report,
      },
    });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toEqual({ status: 'pass', 'report-path': report });
    expect(run.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(JSON.parse(await readFile(report, 'utf8'))).toMatchObject({
      status: 'pass',
      rows: 20640,
    });
    expect(run.summary).toContain('## Data validation: ✅ pass');
    expect(run.summary).toMatch(/\| row_schema \| ✅ pass \| all 20640 rows match/);
    expect(run.stdout).toContain('::group::Validate');
    expect(run.summary).toContain('Drift: skipped, no production model yet');
    // Skipped out loud: a notice, and the file that names no model.
    expect(run.annotations).toContainEqual({
      level: 'notice',
      message: `drift: skipped, no production model yet (${noProduction} names no model_version)`,
    });
  });

  it('fails when the reference it is given cannot be used, naming the file', async () => {
    const missing = join(dir, 'no-card.json');
    const report = join(dir, 'missing-reference.json');
    const run = await runAction('validate-data', {
      inputs: { data: HOUSING_CSV, reference: missing, 'report-path': report },
    });
    expect(run.code, run.stdout).toBe(1);
    expect(run.outputs.status).toBe('fail');
    expect(run.summary).toMatch(/\| drift_reference \| ❌ fail \| .*no-card\.json.*does not exist/);
    expect(run.annotations.at(-1)).toMatchObject({
      level: 'error',
      message: 'data validation failed: drift_reference',
    });
  });

  it('fails a corrupted dataset with annotations at the bad lines, capped with a count', async () => {
    const lines = (await readFile(HOUSING_CSV, 'utf8')).trimEnd().split('\n');
    const cells = (i: number) => lines[i]!.split(',');
    const set = (i: number, col: number, value: string) => {
      const c = cells(i);
      c[col] = value;
      lines[i] = c.join(',');
    };
    const header = lines[0]!.split(',');
    set(2, header.indexOf('median_income'), 'lots'); // file line 3
    set(6, header.indexOf('ocean_proximity'), 'ON MARS'); // file line 7
    for (let i = 100; i < 110; i++) set(i, header.indexOf('housing_median_age'), '-5'); // lines 101-110
    const data = join(dir, 'corrupt.csv');
    await writeFile(data, `${lines.join('\n')}\n`);

    const run = await runAction('validate-data', {
      inputs: {
        data,
        params: firstRun,
        'desired-state': noProduction,
        'report-path': join(dir, 'corrupt.json'),
        'max-annotations': '5',
      },
    });
    expect(run.code).toBe(1);
    expect(run.outputs.status).toBe('fail');
    const errors = run.annotations.filter((a) => a.level === 'error' && a.file === data);
    expect(errors).toHaveLength(5);
    expect(errors[0]).toMatchObject({ line: 3, title: 'data contract' });
    expect(errors[0]!.message).toMatch(/^median_income: .*\(got "lots"\)/);
    expect(errors[1]).toMatchObject({ line: 7 });
    expect(errors[1]!.message).toMatch(/^ocean_proximity: .*ON MARS/);
    expect(errors.slice(2).map((e) => e.line)).toEqual([101, 102, 103]);
    // The last notice: the first says drift is skipped.
    expect(run.annotations.findLast((a) => a.level === 'notice')?.message).toMatch(
      /^7 more problem\(s\) not annotated/,
    );
    expect(run.annotations.at(-1)).toMatchObject({
      level: 'error',
      message: 'data validation failed: row_schema',
    });
    expect(run.summary).toContain('## Data validation: ❌ fail');
  });

  it('names the input when it is wrong', async () => {
    const run = await runAction('validate-data', { inputs: { 'max-annotations': 'many' } });
    expect(run.code).toBe(1);
    expect(run.annotations.at(-1)?.message).toBe(
      "input 'max-annotations' must be a whole number >= 0, got 'many'",
    );
    expect(run.stdout).not.toMatch(/\n\s+at /);
  });

  describe("against production's card, from the release deploy/production.yml names", () => {
    let github: FakeGitHub;
    let older: string;
    let newer: string;
    beforeAll(async () => {
      github = await startFakeGitHub(TOKEN);
      older = await trainModel();
      newer = await trainModel(['--seed', '7']);
    }, 120_000);
    afterAll(async () => {
      await github.close();
      for (const model of [older, newer]) await rm(model, { recursive: true, force: true });
    });
    beforeEach(async () => {
      github.calls.length = 0;
      github.releases.length = 0;
      // Production was rolled back to model-v1: model-v2 is newer, and is not its model.
      github.releases.push(
        await modelRelease(2, 'model-v2', '2026-11-19T00:00:00Z', newer),
        await modelRelease(1, 'model-v1', '2026-10-01T00:00:00Z', older),
      );
    });
    const validate = async (name: string) =>
      runAction('validate-data', {
        inputs: {
          data: HOUSING_CSV,
          'desired-state': await productionFile(dir, name, await versionOf(older)),
          'report-path': join(dir, `${name}.json`),
          'github-token': TOKEN,
        },
        env: { GITHUB_API_URL: github.url },
      });

    it("measures drift against the card of production's release, not the latest one", async () => {
      const run = await validate('production');
      expect(run.code, run.stdout).toBe(0);
      const report = JSON.parse(await readFile(join(dir, 'production.json'), 'utf8')) as {
        drift_reference: { status: string; message: string };
        drift?: { columns: unknown[] };
      };
      expect(report.drift_reference.status).toBe('used');
      expect(report.drift_reference.message).toContain(`(model ${await versionOf(older)})`);
      expect(report.drift?.columns.length).toBeGreaterThan(0);
      expect(run.summary).toMatch(/### Drift against `.*model\.card\.json` \(\d+ rows\)/);
      // Only model-v1's card was fetched: its model.onnx is not needed, model-v2 not touched.
      expect(github.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
        'GET /repos/housing-mlops/housing-mlops/releases',
        'GET /repos/housing-mlops/housing-mlops/releases/assets/12',
        'GET /downloads/12',
      ]);
    });

    it('fails closed, naming the release and the asset, when the card cannot be fetched', async () => {
      const v1 = github.releases.find((r) => r.tag_name === 'model-v1')!;
      v1.assets = v1.assets.filter((a) => a.name !== 'model.card.json');
      const run = await validate('no-card');
      expect(run.code).toBe(1);
      expect(run.annotations.at(-1)).toMatchObject({
        level: 'error',
        message:
          'release model-v1 asset model.card.json: no such asset (the release has model.onnx, metrics.json)',
      });
      expect(run.summary).not.toContain('Drift: skipped');
    });

    it("fails the validation when production's card has no usable reference profile", async () => {
      const v1 = github.releases.find((r) => r.tag_name === 'model-v1')!;
      const card = v1.assets.find((a) => a.name === 'model.card.json')!;
      const parsed = JSON.parse(Buffer.from(card.content).toString('utf8')) as Record<
        string,
        unknown
      >;
      delete parsed.reference_profile;
      card.content = JSON.stringify(parsed);
      const run = await validate('no-profile');
      expect(run.code).toBe(1);
      expect(run.outputs.status).toBe('fail');
      expect(run.summary).toMatch(
        /\| drift_reference \| ❌ fail \| .*release model-v1 asset model\.card\.json.*has no reference_profile/,
      );
    });
  });
});
