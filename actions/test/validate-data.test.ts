import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { HOUSING_CSV } from '@housing/test-support/root';
import { ROOT, runAction } from './harness.ts';

describe('validate-data (bundled dist, as a child process)', () => {
  let dir: string;
  /** A params.yaml whose production card does not exist: a first run, no production model. */
  let firstRun: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'validate-data-'));
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
      inputs: { data: HOUSING_CSV, params: firstRun, 'report-path': report },
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
    expect(run.annotations.find((a) => a.level === 'notice')?.message).toMatch(
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
});
