import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/database.ts';
import {
  deleteExpiredPredictions,
  insertPredictions,
  recordFeedback,
  type PredictionRecord,
} from '../src/queries.ts';
import { startPostgres, type PostgresServer } from '@housing/test-support/postgres';

/** The same queries, on the embedded store and on a real PostgreSQL. */
const folder = mkdtempSync(join(tmpdir(), 'prediction-store-queries-'));
let server: PostgresServer | undefined;
const stores: Record<string, Database> = {};

beforeAll(async () => {
  server = await startPostgres();
  stores.pglite = await openDatabase({ dir: join(folder, 'log') });
  stores.postgres = await openDatabase({ url: server.url, dir: join(folder, 'unused') });
}, 120_000);
afterAll(async () => {
  await Promise.all(Object.values(stores).map((db) => db.close()));
  await server?.stop();
  rmSync(folder, { recursive: true, force: true });
});

function record(id: string, daysAgo: number, input: unknown = { a: 1 }): PredictionRecord {
  return {
    id,
    request_id: `req-${id}`,
    row_index: 0,
    predicted_at: new Date(Date.now() - daysAgo * 86_400_000).toISOString(),
    model_version: 'gbdt-000000000000',
    input,
    output: 100_000.5,
  };
}

describe.each(['pglite', 'postgres'])('%s', (name) => {
  const db = () => stores[name]!;

  it('compares prediction ids byte-wise (migration 2), in both tables', async () => {
    const columns = await db().query<{ table_name: string; collation_name: string }>(
      `SELECT table_name, collation_name FROM information_schema.columns
       WHERE (table_name, column_name) IN (('predictions', 'id'), ('feedback', 'prediction_id'))
       ORDER BY table_name`,
    );
    expect(columns).toEqual([
      { table_name: 'feedback', collation_name: 'C' },
      { table_name: 'predictions', collation_name: 'C' },
    ]);
  });

  it('writes a batch in one statement, inputs as JSON or NULL', async () => {
    await insertPredictions(db(), [record('w1', 0), record('w2', 0, null)]);
    const rows = await db().query<{ id: string; input: unknown; output: number }>(
      "SELECT id, input, output FROM predictions WHERE id LIKE 'w%' ORDER BY id",
    );
    expect(rows).toEqual([
      { id: 'w1', input: { a: 1 }, output: 100_000.5 },
      { id: 'w2', input: null, output: 100_000.5 },
    ]);
  });

  it('records feedback once per id: recorded, duplicate, conflict, unknown', async () => {
    await insertPredictions(db(), [record('f1', 0), record('f2', 0)]);
    expect(await recordFeedback(db(), [{ id: 'f1', actual: 90_000 }])).toEqual([
      { id: 'f1', status: 'recorded', model_version: 'gbdt-000000000000', output: 100_000.5 },
    ]);
    expect(
      await recordFeedback(db(), [
        { id: 'f1', actual: 90_000 },
        { id: 'missing', actual: 1 },
        { id: 'f2', actual: 5 },
      ]),
    ).toEqual([
      { id: 'f1', status: 'duplicate' },
      { id: 'missing', status: 'unknown' },
      { id: 'f2', status: 'recorded', model_version: 'gbdt-000000000000', output: 100_000.5 },
    ]);
    expect(await recordFeedback(db(), [{ id: 'f1', actual: 1 }])).toEqual([
      { id: 'f1', status: 'conflict', stored: 90_000 },
    ]);
  });

  it('retention deletes rows older than its age only, in batches, with their feedback', async () => {
    const old = ['o1', 'o2', 'o3', 'o4', 'o5'];
    await insertPredictions(db(), [...old.map((id) => record(id, 40)), record('recent', 29)]);
    await recordFeedback(db(), [
      { id: 'o1', actual: 1 },
      { id: 'recent', actual: 2 },
    ]);
    // Batches of 2: three DELETEs, the last one short.
    expect(await deleteExpiredPredictions(db(), 30, 2)).toBe(5);
    const left = await db().query<{ id: string }>(
      "SELECT id FROM predictions WHERE id LIKE 'o%' OR id = 'recent'",
    );
    expect(left).toEqual([{ id: 'recent' }]);
    const feedback = await db().query<{ prediction_id: string }>(
      "SELECT prediction_id FROM feedback WHERE prediction_id IN ('o1', 'recent')",
    );
    expect(feedback).toEqual([{ prediction_id: 'recent' }]);
    expect(await deleteExpiredPredictions(db(), 30, 2)).toBe(0);
  });
});
