import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadContract, type CompiledContract } from '../src/contract/contract.ts';
import type { ReferenceProfile } from '@housing/model-card/schema';
import { validateCsv, type ValidationReport } from '../src/validate/validate.ts';
import { formatValidationSummary } from '../src/validate/summary.ts';
import { CONTRACT, HOUSING_CSV, ROOT, tempDir } from './helpers.ts';
import { profileCsv } from './reference.ts';

const DRIFT = {
  psi_warn: 0.1,
  psi_fail: 0.25,
  category_shift_warn: 0.05,
  category_shift_fail: 0.15,
};
const COL = {
  longitude: 0,
  latitude: 1,
  total_bedrooms: 4,
  median_income: 7,
  median_house_value: 8,
  ocean_proximity: 9,
};

let contract: CompiledContract;
let lines: string[];
let reference: ReferenceProfile;

beforeAll(async () => {
  contract = await loadContract(CONTRACT);
  lines = (await readFile(HOUSING_CSV, 'utf8')).trimEnd().split('\n');
  reference = await profileCsv(HOUSING_CSV, contract);
});

/** Writes a copy of the dataset with `edit` applied to each data row (index 0 = CSV line 2). */
async function corrupted(
  edit: (fields: string[], row: number) => string[] | null,
  extra: string[] = [],
): Promise<string> {
  const out = [lines[0]!];
  lines.slice(1).forEach((line, row) => {
    const fields = edit(line.split(','), row);
    if (fields) out.push(fields.join(','));
  });
  const file = join(await tempDir('validate-'), 'housing.csv');
  await writeFile(file, `${[...out, ...extra].join('\n')}\n`);
  return file;
}

const check = (report: ValidationReport, name: string, column?: string) =>
  report.checks.find((c) => c.name === name && (column === undefined || c.column === column));

describe('validateCsv', () => {
  it('passes the real dataset, with no drift against its own profile', async () => {
    const report = await validateCsv(HOUSING_CSV, { contract, drift: DRIFT, reference });
    expect(report.status).toBe('pass');
    expect(report.rows).toBe(20640);
    expect(report.null_rates.total_bedrooms).toBeCloseTo(207 / 20640, 10);
    expect(report.drift!.columns.every((d) => d.value < 1e-9)).toBe(true);
  });

  it('names the line and column of a wrong type', async () => {
    const file = await corrupted((f, row) =>
      row === 99 ? (f.splice(COL.median_income, 1, 'abc'), f) : f,
    );
    const report = await validateCsv(file, { contract, drift: DRIFT });
    expect(report.status).toBe('fail');
    expect(report.row_errors).toEqual([
      { line: 101, column: 'median_income', message: 'must be number', value: 'abc' },
    ]);
    expect(formatValidationSummary(report)).toContain(
      `${file}:101: median_income must be number (got "abc")`,
    );
  });

  it('catches out-of-range values, unknown categories and missing required values', async () => {
    const file = await corrupted((f, row) => {
      if (row === 0) f[COL.latitude] = '99';
      if (row === 1) f[COL.ocean_proximity] = 'ON THE MOON';
      if (row === 2) f[COL.longitude] = '';
      if (row === 3) f[COL.median_income] = 'NaN';
      return f;
    });
    const report = await validateCsv(file, { contract, drift: DRIFT });
    expect(report.rows_invalid).toBe(4);
    expect(report.row_errors.map((e) => [e.line, e.column, e.message])).toEqual([
      [2, 'latitude', 'must be <= 42'],
      [
        3,
        'ocean_proximity',
        'must be one of "<1H OCEAN", "INLAND", "NEAR OCEAN", "NEAR BAY", "ISLAND"',
      ],
      [4, 'longitude', 'must be number'],
      [5, 'median_income', 'must be number'],
    ]);
  });

  it('fails a column whose null rate is above its limit', async () => {
    const file = await corrupted((f, row) =>
      row % 10 === 0 ? (f.splice(COL.total_bedrooms, 1, ''), f) : f,
    );
    const report = await validateCsv(file, { contract, drift: DRIFT });
    const nulls = check(report, 'null_rate', 'total_bedrooms')!;
    expect(nulls.status).toBe('fail');
    expect(nulls.message).toMatch(/total_bedrooms: 10\.\d+% null \(limit 5\.00%\)/);
    expect(check(report, 'row_schema')!.status).toBe('pass');
  });

  it('finds duplicate rows and points at the first copy', async () => {
    const file = await corrupted((f) => f, [lines[5]!, lines[5]!]);
    const report = await validateCsv(file, { contract, drift: DRIFT });
    expect(report.duplicate_rows).toEqual([
      { line: 20642, first_line: 6 },
      { line: 20643, first_line: 6 },
    ]);
    expect(check(report, 'duplicates')!.status).toBe('fail');
  });

  it('treats numerically equal cells as duplicates (1.0 and 1)', async () => {
    const twin = lines[5]!
      .split(',')
      .map((v) => (v.endsWith('.0') ? v.slice(0, -2) : v))
      .join(',');
    const report = await validateCsv(await corrupted((f) => f, [twin]), { contract, drift: DRIFT });
    expect(report.duplicate_rows).toEqual([{ line: 20642, first_line: 6 }]);
  });

  it('fails a target outside the contract range', async () => {
    const file = await corrupted((f, row) =>
      row < 3 ? (f.splice(COL.median_house_value, 1, '750000'), f) : f,
    );
    const report = await validateCsv(file, { contract, drift: DRIFT });
    const target = check(report, 'target_range')!;
    expect(target.status).toBe('fail');
    expect(target.message).toBe(
      '3 rows have median_house_value outside [14999, 500001] (observed [14999, 750000])',
    );
  });

  it('fails a shifted distribution against the reference, and only that feature', async () => {
    const file = await corrupted((f) => {
      f[COL.median_income] = String(Number(f[COL.median_income]) * 1.6);
      return f;
    });
    const report = await validateCsv(file, { contract, drift: DRIFT, reference });
    const income = report.drift!.columns.find((d) => d.column === 'median_income')!;
    expect(income.status).toBe('fail');
    expect(income.value).toBeGreaterThan(0.25);
    expect(report.drift!.columns.filter((d) => d.status !== 'pass').map((d) => d.column)).toEqual([
      'median_income',
    ]);
    expect(report.status).toBe('fail');
  });

  it('flags a shift in category shares', async () => {
    const file = await corrupted((f, row) =>
      row % 3 === 0 ? (f.splice(COL.ocean_proximity, 1, 'INLAND'), f) : f,
    );
    const report = await validateCsv(file, { contract, drift: DRIFT, reference });
    const ocean = report.drift!.columns.find((d) => d.column === 'ocean_proximity')!;
    expect(ocean.metric).toBe('max_share_shift');
    expect(ocean.value).toBeGreaterThan(0.15);
    expect(ocean.status).toBe('fail');
  });

  it('rejects a header that does not match the contract, at line 1', async () => {
    const file = join(await tempDir(), 'bad.csv');
    await writeFile(file, `${lines[0]!.replace('median_income', 'income')}\n${lines[1]}\n`);
    await expect(validateCsv(file, { contract, drift: DRIFT })).rejects.toThrow(
      `${file}:1: header does not match the data contract: missing column(s) median_income; unexpected column(s) income`,
    );
  });

  it('stays in bounded memory on 1,000,000 rows (CLI under a 96 MB heap)', async () => {
    const dir = await tempDir('validate-big-');
    const file = join(dir, 'big.csv');
    const out = createWriteStream(file);
    out.write(`${lines[0]}\n`);
    const rows = lines.slice(1);
    for (let i = 0; i < 1_000_000; i++) {
      const f = rows[i % rows.length]!.split(',');
      // Perturb the income so that every row is distinct.
      f[COL.median_income] = (
        Number(f[COL.median_income]) +
        Math.floor(i / rows.length) * 1e-4
      ).toFixed(4);
      if (!out.write(`${f.join(',')}\n`))
        await new Promise<void>((done) => out.once('drain', () => done()));
    }
    await new Promise<void>((done) => out.end(() => done()));
    const report = join(dir, 'report.json');
    // A real reference, so that drift is counted too (a missing one now fails the run).
    const card = join(dir, 'model.card.json');
    await writeFile(card, JSON.stringify({ reference_profile: reference }));
    const run = spawnSync(
      process.execPath,
      [
        '--max-old-space-size=96',
        '--import',
        'tsx',
        'pipeline/src/cli/validate.ts',
        '--data',
        file,
        '--report',
        report,
        '--reference',
        card,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(run.stderr).not.toMatch(/heap out of memory/);
    expect(run.status).toBe(0);
    const parsed = JSON.parse(await readFile(report, 'utf8')) as ValidationReport;
    expect(parsed.rows).toBe(1_000_000);
    expect(parsed.duplicate_rows_total).toBe(0);
  }, 180_000);
});
