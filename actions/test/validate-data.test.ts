import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runAction } from './harness.ts';

const HOUSING_CSV = join(
  process.env.SHARED_DIR ?? join(ROOT, '..', 'shared'),
  'datasets/california-housing/housing.csv',
);

describe('validate-data (bundled dist, as a child process)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'validate-data-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('passes the clean dataset, with outputs, a report and a summary', async () => {
    const report = join(dir, 'clean.json');
    const run = await runAction('validate-data', {
      inputs: { data: HOUSING_CSV, reference: join(dir, 'no-card.json'), 'report-path': report },
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
        reference: join(dir, 'no-card.json'),
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
