import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '@housing/test-support/postgres';
import { openDatabase, type Database } from '../src/database.ts';
import { exportLabelledRows, labelCoverage } from '../src/export.ts';

/** The export data:refresh reads, on both stores, from rows inserted with SQL. */
async function seed(db: Database): Promise<void> {
  const predict = (id: string, input: Record<string, unknown> | null, at: string) =>
    db.query('INSERT INTO predictions VALUES ($1, $2, 0, $3, $4, $5, $6)', [
      id,
      `req-${id}`,
      at,
      'model-v3',
      input,
      210000,
    ]);
  const label = (id: string, actual: number, at: string) =>
    db.query('INSERT INTO feedback VALUES ($1, $2, $3)', [id, actual, at]);
  await predict('a', { median_income: 3.1 }, '2026-11-01T10:00:00Z');
  await predict('b', { median_income: 5.2 }, '2026-11-02T10:00:00Z');
  await predict('c', null, '2026-11-02T11:00:00Z');
  await predict('d', { median_income: 1.5 }, '2026-11-03T10:00:00Z');
  await label('b', 250000, '2026-11-05T00:00:00Z');
  await label('a', 190000, '2026-11-04T00:00:00Z');
  await label('c', 100000, '2026-11-04T12:00:00Z');
}

function exportContract(open: () => Promise<Database>) {
  let db: Database;
  beforeAll(async () => {
    db = await open();
    await seed(db);
  });
  afterAll(() => db?.close());

  it('exports labelled predictions with their input, oldest feedback first, one per id', async () => {
    expect(await exportLabelledRows(db)).toEqual([
      {
        id: 'a',
        modelVersion: 'model-v3',
        predictedAt: new Date('2026-11-01T10:00:00Z'),
        receivedAt: new Date('2026-11-04T00:00:00Z'),
        input: { median_income: 3.1 },
        output: 210000,
        actual: 190000,
      },
      expect.objectContaining({
        id: 'b',
        actual: 250000,
        receivedAt: new Date('2026-11-05T00:00:00Z'),
      }),
    ]);
  });

  it('exports only feedback received at or after `since`', async () => {
    const rows = await exportLabelledRows(db, new Date('2026-11-05T00:00:00Z'));
    expect(rows.map((r) => r.id)).toEqual(['b']);
    expect(await exportLabelledRows(db, new Date('2026-11-06T00:00:00Z'))).toEqual([]);
  });

  it('counts label coverage, and the labelled rows logged without input', async () => {
    expect(await labelCoverage(db)).toEqual({
      predictions: 4,
      labelled: 3,
      labelledWithoutInput: 1,
    });
    expect(await labelCoverage(db, new Date('2026-11-02T10:30:00Z'))).toEqual({
      predictions: 2,
      labelled: 1,
      labelledWithoutInput: 1,
    });
  });
}

describe('the export from the embedded store (PGlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prediction-export-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  exportContract(() => openDatabase({ dir: join(dir, 'log') }));
});

describe('the export from a real PostgreSQL', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(() => server?.stop());
  exportContract(() => openDatabase({ url: server.url, dir: '' }));
});
