import { cp, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@housing/core/logger';
import { openDatabase, type Database } from '@housing/prediction-store/database';
import { dirManifest, objectPath } from '@housing/test-support/dvc-remote';
import { startPostgres, type PostgresServer } from '@housing/test-support/postgres';
import { loadContract } from '../src/contract/contract.ts';
import { parseDvcFile } from '../src/dvc/dvcfile.ts';
import { md5OfFile, pullData } from '../src/dvc/pull.ts';
import { refreshData, type RefreshOptions } from '../src/refresh/refresh.ts';
import { RECORD_FILE } from '../src/refresh/record.ts';
import { validateCsv } from '../src/validate/validate.ts';
import { CONTRACT, ROOT, tempDir } from './helpers.ts';
import {
  housingRows,
  logPredictions,
  makeCheckout,
  referenceCard,
  shifted,
} from './refresh-fixture.ts';

/**
 * data:refresh end to end on real parts: the prediction log in PGlite and in
 * a real PostgreSQL (rows inserted with SQL, as the service writes them), a
 * copy of the checkout with the pulled data and a local DVC remote, and the
 * built-in pull of the new version into an empty clone.
 */

const options = (
  repo: string,
  dir: string,
  extra: Partial<RefreshOptions> = {},
): RefreshOptions => ({
  root: repo,
  store: { url: undefined, dir },
  useDvc: false,
  logger: silentLogger,
  ...extra,
});

/** A clone that has only data.dvc and .dvc/config: what a runner checks out. */
async function pullIntoClone(repo: string): Promise<string> {
  const clone = await tempDir('refresh-clone-');
  await cp(join(repo, 'data.dvc'), join(clone, 'data.dvc'));
  await cp(join(repo, '.dvc/config'), join(clone, '.dvc/config'));
  await pullData({ root: clone, logger: silentLogger });
  return clone;
}

async function rowsOf(csv: string): Promise<string[]> {
  return (await readFile(csv, 'utf8')).trimEnd().split('\n');
}

/** The validate stage's check of a CSV against the contract, with params.yaml's drift limits. */
const validateAgainstContract = async (path: string) =>
  validateCsv(path, {
    contract: await loadContract(CONTRACT),
    drift: { psi_warn: 0.1, psi_fail: 0.25, category_shift_warn: 0.05, category_shift_fail: 0.15 },
  });

describe('data:refresh with the embedded store (PGlite)', () => {
  let db: Database;
  let logDir: string;

  beforeAll(async () => {
    // Not tempDir(): that one is removed after each test, and the log outlives them.
    logDir = join(await mkdtemp(join(tmpdir(), 'refresh-log-')), 'log');
    db = await openDatabase({ dir: logDir });
  });
  afterAll(async () => {
    await db?.close();
    await rm(join(logDir, '..'), { recursive: true, force: true });
  });

  it('appends the labelled rows as a new DVC version that pulls from the remote and validates', async () => {
    const { repo, remote } = await makeCheckout();
    const before = await readFile(join(repo, 'data.dvc'), 'utf8');
    const rows = await housingRows(6, 100);
    // Four labelled with their input; one labelled without input; one unlabelled; one breaking the contract.
    const good = await logPredictions(
      db,
      rows.slice(0, 4).map((r) => ({ input: r.input, actual: shifted(r.target) })),
    );
    await logPredictions(db, [{ input: null, actual: 100000 }, { input: rows[4]!.input }]);
    const [bad] = await logPredictions(db, [
      { input: { ...rows[5]!.input, latitude: 99 }, actual: 150000 },
    ]);
    // The store is closed while the refresh opens it: PGlite keeps one process per folder.
    await db.close();
    const card = await referenceCard(await tempDir('refresh-card-'));
    const result = await refreshData(options(repo, logDir, { reference: card }));
    db = await openDatabase({ dir: logDir });

    expect(result.kind).toBe('refreshed');
    if (result.kind !== 'refreshed') return;
    expect(result.summary.added).toBe(4);
    expect(result.summary.rejected).toEqual([
      { id: bad, reasons: [expect.stringMatching(/^latitude: must be <= 42/)] },
    ]);
    expect(result.summary.coverage).toEqual({
      predictions: 7,
      labelled: 6,
      labelledWithoutInput: 1,
    });
    expect(
      'columns' in result.summary.drift && result.summary.drift.columns.map((d) => d.column),
    ).toEqual((await loadContract(CONTRACT)).columns.all);
    expect(result.body).toMatch(/\*\*4 labelled row\(s\) from production\*\*/);
    expect(result.body).toContain(`| \`${bad}\` | latitude: must be <= 42`);
    expect(result.body).toMatch(/\| median_income \| psi \| \d+\.\d{4} \|/);

    // data.dvc as dvc add writes it: the manifest's md5, the bytes and the count.
    const after = await readFile(join(repo, 'data.dvc'), 'utf8');
    const out = parseDvcFile(after, 'data.dvc');
    const hashes: Record<string, string> = {};
    let size = 0;
    for (const name of await readdir(join(repo, 'data'))) {
      hashes[name] = (await md5OfFile(join(repo, 'data', name)))!;
      size += (await stat(join(repo, 'data', name))).size;
    }
    expect(Object.keys(hashes).sort()).toEqual(['exported-feedback.json', 'housing.csv']);
    const manifest = dirManifest(hashes);
    expect(after).toBe(
      before
        .replace(/md5: \S+/, `md5: ${out.md5}`)
        .replace(/size: \d+/, `size: ${size}`)
        .replace(/nfiles: \d+/, 'nfiles: 2'),
    );
    expect(out.md5).toBe(
      `${(await import('node:crypto')).createHash('md5').update(manifest).digest('hex')}.dir`,
    );
    // The manifest byte for byte in the cache and in the remote.
    expect(await readFile(objectPath(join(repo, '.dvc/cache'), out.md5), 'utf8')).toBe(manifest);
    expect(await readFile(objectPath(remote, out.md5), 'utf8')).toBe(manifest);
    expect(await md5OfFile(objectPath(remote, hashes['housing.csv']!))).toBe(hashes['housing.csv']);

    // The new version pulls into an empty clone and passes validation.
    const clone = await pullIntoClone(repo);
    const csv = join(clone, 'data/housing.csv');
    expect(await rowsOf(csv)).toEqual(await rowsOf(join(repo, 'data/housing.csv')));
    const lines = await rowsOf(csv);
    expect(lines).toHaveLength((await rowsOf(join(ROOT, 'data/housing.csv'))).length + 4);
    expect(lines.at(-1)).toBe(
      `${Object.values(rows[3]!.input)
        .map(String)
        .join(',')
        .replace(/,([^,]*)$/, `,${shifted(rows[3]!.target)},$1`)}`,
    );
    const report = await validateAgainstContract(csv);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    const record = JSON.parse(await readFile(join(clone, 'data', RECORD_FILE), 'utf8')) as {
      ids: Record<string, string>;
    };
    expect(Object.keys(record.ids).sort()).toEqual([...good, bad].sort());

    // Merged: a refresh of that version finds nothing new, says so and changes nothing.
    await db.close();
    const again = await refreshData(options(repo, logDir));
    db = await openDatabase({ dir: logDir });
    expect(again.kind).toBe('nothing-new');
    expect(await readFile(join(repo, 'data.dvc'), 'utf8')).toBe(after);

    // New feedback after the merge: only the new rows are exported.
    const more = await logPredictions(
      db,
      (await housingRows(2, 200)).map((r) => ({ input: r.input, actual: shifted(r.target, 99) })),
    );
    await db.close();
    const second = await refreshData(options(repo, logDir));
    db = await openDatabase({ dir: logDir });
    expect(second.kind === 'refreshed' && second.summary.added).toBe(2);
    expect(await rowsOf(join(repo, 'data/housing.csv'))).toHaveLength(lines.length + 2);
    const record2 = JSON.parse(await readFile(join(repo, 'data', RECORD_FILE), 'utf8')) as {
      ids: Record<string, string>;
    };
    expect(Object.keys(record2.ids).sort()).toEqual([...good, bad, ...more].sort());
  });

  it('exports the same rows again when the last refresh was not merged, into the same data version', async () => {
    const first = await makeCheckout();
    const second = await makeCheckout();
    await logPredictions(
      db,
      (await housingRows(3, 300)).map((r) => ({ input: r.input, actual: shifted(r.target, 7) })),
    );
    await db.close();
    const a = await refreshData(options(first.repo, logDir));
    // The pull request was left open: the next run starts again from the base's data.dvc.
    const b = await refreshData(options(second.repo, logDir));
    db = await openDatabase({ dir: logDir });
    expect(a.kind === 'refreshed' && b.kind === 'refreshed').toBe(true);
    if (a.kind !== 'refreshed' || b.kind !== 'refreshed') return;
    expect(b.summary.exported).toBe(a.summary.exported);
    expect(b.md5).toBe(a.md5);
    expect(await readFile(join(second.repo, 'data.dvc'), 'utf8')).toBe(
      await readFile(join(first.repo, 'data.dvc'), 'utf8'),
    );
  });

  it('says there is nothing new, and changes nothing, when no labelled row came in', async () => {
    const { repo } = await makeCheckout();
    // A store the service has opened (so it exists) but that holds no labelled row yet.
    const empty = join(await tempDir('refresh-empty-'), 'log');
    await (await openDatabase({ dir: empty })).close();
    const before = await readFile(join(repo, 'data.dvc'), 'utf8');
    const result = await refreshData(options(repo, empty));
    expect(result).toEqual({
      kind: 'nothing-new',
      message: `no labelled rows in the embedded store in ${empty} since the last export (none yet): nothing to refresh, no pull request`,
    });
    expect(await readFile(join(repo, 'data.dvc'), 'utf8')).toBe(before);
    expect(await readdir(join(repo, 'data'))).toEqual(['housing.csv']);
    await rm(empty, { recursive: true, force: true });
  });
});

describe('data:refresh with a real PostgreSQL', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('exports the labelled rows from PostgreSQL into a version that pulls and validates', async () => {
    const db = await openDatabase({ url: server.url, dir: '' });
    await logPredictions(
      db,
      (await housingRows(5, 400)).map((r, i) => ({
        input: r.input,
        ...(i < 3 ? { actual: shifted(r.target, 5) } : {}),
      })),
    );
    await db.close();
    const { repo } = await makeCheckout();
    const result = await refreshData(options(repo, '', { store: { url: server.url, dir: '' } }));
    expect(result.kind === 'refreshed' && result.summary).toMatchObject({
      added: 3,
      rejected: [],
      coverage: { predictions: 5, labelled: 3, labelledWithoutInput: 0 },
      store: `PostgreSQL at ${server.url}`,
    });
    const clone = await pullIntoClone(repo);
    const report = await validateAgainstContract(join(clone, 'data/housing.csv'));
    expect(report.status).not.toBe('fail');
    expect(report.rows).toBe((await rowsOf(join(ROOT, 'data/housing.csv'))).length - 1 + 3);
  });
});
