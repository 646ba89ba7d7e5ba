import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadContract } from '../src/contract/contract.ts';
import type { ReferenceProfile } from '@housing/model-card/schema';
import type { ValidationReport } from '../src/validate/validate.ts';
import { CONTRACT, HOUSING_CSV, ROOT, tempDir } from './helpers.ts';
import { profileCsv } from './reference.ts';

/**
 * Drift must fail closed: a reference that is given (--reference) or
 * configured (params.yaml validate.reference) and cannot be used fails the
 * validation. Only a first run, with no production model at all, skips
 * drift, and says so. These run the real CLI, as dvc.yaml's validate stage does.
 */

let reference: ReferenceProfile;
/**
 * The dataset with median_income scaled by 1.6 (within the contract's range):
 * every check passes but drift, whose PSI is far above the failure threshold.
 */
let drifted: string;
/** Lives for the whole file (tempDir's folders go after each test). */
let dataDir: string;

beforeAll(async () => {
  const contract = await loadContract(CONTRACT);
  reference = await profileCsv(HOUSING_CSV, contract);
  const lines = (await readFile(HOUSING_CSV, 'utf8')).trimEnd().split('\n');
  const income = lines[0]!.split(',').indexOf('median_income');
  dataDir = await mkdtemp(join(tmpdir(), 'drift-data-'));
  drifted = join(dataDir, 'drifted.csv');
  const out = [lines[0]!];
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    // Capped at the contract's maximum, so that only drift can fail it.
    f[income] = Math.min(Number(f[income]) * 1.6, 20).toFixed(4);
    out.push(f.join(','));
  }
  await writeFile(drifted, `${out.join('\n')}\n`);
});

/** The report as the test reads it: written as JSON, checked field by field. */
type Report = Omit<ValidationReport, 'checks'> & {
  checks: { name: string; status: string; message: string }[];
  drift_reference?: unknown;
};

afterAll(() => rm(dataDir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  output: string;
  report: Report | undefined;
}

/**
 * Runs `validate` from the repository root with a params.yaml whose
 * validate.reference is `configured`; `flags` are extra CLI flags.
 */
async function validate(dir: string, configured: string, flags: string[] = []): Promise<Run> {
  const params = parse(await readFile(join(ROOT, 'params.yaml'), 'utf8')) as {
    data: { contract: string };
    validate: { reference: string };
  };
  params.data.contract = CONTRACT;
  params.validate.reference = configured;
  const paramsFile = join(dir, 'params.yaml');
  await writeFile(paramsFile, stringify(params));
  const reportFile = join(dir, 'validation.json');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'pipeline/src/cli/validate.ts',
      '--params',
      paramsFile,
      '--report',
      reportFile,
      ...flags,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const report = await readFile(reportFile, 'utf8').then(
    (text) => JSON.parse(text) as Report,
    () => undefined,
  );
  return { code, output, report };
}

/** Asserts a run failed because of its reference, naming the file and the problem. */
function expectReferenceFailure(run: Run, file: string, problem: RegExp): void {
  expect(run.code, run.output).toBe(1);
  expect(run.output).not.toMatch(/internal error|\n\s+at /);
  expect(run.report?.status).toBe('fail');
  const check = run.report?.checks.find((c) => c.name === 'drift_reference');
  expect(check?.status).toBe('fail');
  // Drift could not be measured, and nothing else is wrong with the data.
  expect(run.report?.checks.filter((c) => c.status === 'fail').map((c) => c.name)).toEqual([
    'drift_reference',
  ]);
  expect(check?.message).toContain(file);
  expect(check?.message).toMatch(problem);
  expect(run.output).toContain(file);
  expect(run.output).toMatch(problem);
}

describe('validate: the drift reference fails closed', () => {
  it('first run (no production model at all): drift is skipped, and the summary and report say so', async () => {
    const dir = await tempDir('drift-first-');
    const configured = join(dir, 'models/production/model.card.json');
    const run = await validate(dir, configured, ['--data', HOUSING_CSV]);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('drift: skipped, no production model yet');
    expect(run.output).toContain(configured);
    expect(run.report?.drift).toBeNull();
    expect(run.report?.drift_reference).toEqual({
      path: configured,
      status: 'skipped',
      message: expect.stringContaining('no production model yet') as unknown,
    });
  });

  it('second run: drift is checked against the configured production card', async () => {
    const dir = await tempDir('drift-second-');
    const configured = join(dir, 'models/production/model.card.json');
    await mkdir(join(dir, 'models/production'), { recursive: true });
    await writeFile(configured, JSON.stringify({ reference_profile: reference }));
    const run = await validate(dir, configured, ['--data', drifted]);
    expect(run.code, run.output).toBe(1);
    expect(run.report?.checks.filter((c) => c.status === 'fail').map((c) => c.name)).toEqual([
      'drift',
    ]);
    expect(run.report?.drift?.columns.find((d) => d.column === 'median_income')?.status).toBe(
      'fail',
    );
    expect(run.report?.drift_reference).toMatchObject({ path: configured, status: 'used' });
  });

  it('fails when --reference names a file that does not exist', async () => {
    const dir = await tempDir('drift-missing-');
    const missing = join(dir, 'nowhere/model.card.json');
    const run = await validate(dir, join(dir, 'models/production/model.card.json'), [
      '--data',
      drifted,
      '--reference',
      missing,
    ]);
    expectReferenceFailure(run, missing, /does not exist/);
  });

  it('fails when the configured card has no reference profile', async () => {
    const dir = await tempDir('drift-noprofile-');
    const configured = join(dir, 'model.card.json');
    await writeFile(configured, JSON.stringify({ model_version: 'gbdt-000000000000' }));
    const run = await validate(dir, configured, ['--data', drifted]);
    expectReferenceFailure(run, configured, /reference_profile/);
  });

  it('fails when --reference is not JSON', async () => {
    const dir = await tempDir('drift-corrupt-');
    const card = join(dir, 'card.json');
    await writeFile(card, '{"reference_profile": {"rows": 3');
    const run = await validate(dir, join(dir, 'absent.json'), [
      '--data',
      drifted,
      '--reference',
      card,
    ]);
    expectReferenceFailure(run, card, /not valid JSON/);
  });

  it('fails when --reference is a directory', async () => {
    const dir = await tempDir('drift-dir-');
    const run = await validate(dir, join(dir, 'absent.json'), [
      '--data',
      drifted,
      '--reference',
      dir,
    ]);
    expectReferenceFailure(run, dir, /EISDIR|directory/);
  });

  it.each([
    [
      'a profile without columns',
      (p: ReferenceProfile) => ({ ...p, columns: {} }),
      /reference_profile\.columns: no profile for .*median_income/,
    ],
    [
      'a profile missing the drifted column',
      (p: ReferenceProfile) => {
        const { median_income: _dropped, ...columns } = p.columns;
        return { ...p, columns };
      },
      /reference_profile\.columns: no profile for .*median_income/,
    ],
    [
      'edges that are not numbers',
      (p: ReferenceProfile) => ({
        ...p,
        columns: {
          ...p.columns,
          median_income: { ...p.columns.median_income!, edges: ['a', 'b'] },
        },
      }),
      /reference_profile\.columns\.median_income\.edges\[0\]/,
    ],
    [
      'shares that do not match the bins',
      (p: ReferenceProfile) => ({
        ...p,
        columns: { ...p.columns, median_income: { ...p.columns.median_income!, shares: [1] } },
      }),
      /reference_profile\.columns\.median_income\.shares/,
    ],
    [
      'a numeric column profiled as a category',
      (p: ReferenceProfile) => ({
        ...p,
        columns: { ...p.columns, median_income: p.columns.ocean_proximity! },
      }),
      /reference_profile\.columns\.median_income\.kind/,
    ],
    [
      'rows that are not a count',
      (p: ReferenceProfile) => ({ ...p, rows: -1 }),
      /reference_profile\.rows/,
    ],
  ])('fails on %s', async (_name, edit, problem) => {
    const dir = await tempDir('drift-invalid-');
    const card = join(dir, 'model.card.json');
    await writeFile(card, JSON.stringify({ reference_profile: edit(reference) }));
    const run = await validate(dir, card, ['--data', drifted]);
    expectReferenceFailure(run, card, problem);
  });

  it('fails when the production folder has a model but no card (not a first run)', async () => {
    const dir = await tempDir('drift-halfmodel-');
    const configured = join(dir, 'models/production/model.card.json');
    await mkdir(join(dir, 'models/production'), { recursive: true });
    await writeFile(join(dir, 'models/production/model.onnx'), 'onnx bytes');
    const run = await validate(dir, configured, ['--data', drifted]);
    expectReferenceFailure(run, configured, /does not exist.*model\.onnx/);
  });

  it('fails when the production folder (or a folder above it) is a dangling symlink (not a first run)', async () => {
    // models/production pointing at a volume that is not mounted: the card
    // cannot be read, yet drift was skipped as on a first run and drifted
    // data passed with exit 0.
    for (const link of ['models/production', 'models']) {
      const dir = await tempDir('drift-dangling-');
      const configured = join(dir, 'models/production/model.card.json');
      if (link === 'models/production') await mkdir(join(dir, 'models'));
      await symlink(join(dir, 'not-mounted'), join(dir, link));
      const run = await validate(dir, configured, ['--data', drifted]);
      expectReferenceFailure(run, configured, /dangling symlink/);
      expect(run.output).toContain(join(dir, link));
    }
  });
});
