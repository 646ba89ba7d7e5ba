import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, redactUrl } from '../src/database.ts';
import { MIGRATIONS } from '../src/migrations.ts';
import { startPostgres, type PostgresServer } from '@housing/test-support/postgres';

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'prediction-store-'));
  dirs.push(dir);
  return join(dir, 'log');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the embedded store (PGlite)', () => {
  it('creates the schema once and reopens without running a migration again', async () => {
    const dir = freshDir();
    const first = await openDatabase({ dir });
    expect(first.kind).toBe('pglite');
    await first.query('INSERT INTO predictions VALUES ($1, $2, $3, now(), $4, $5, $6)', [
      'p1',
      'r1',
      0,
      'v1',
      { MedInc: 3.2 },
      2.5,
    ]);
    await first.close();
    const again = await openDatabase({ dir });
    const applied = await again.query<{ version: number }>('SELECT version FROM schema_migrations');
    expect(applied.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
    const rows = await again.query<{ input: unknown; output: number }>(
      'SELECT input, output FROM predictions',
    );
    expect(rows).toEqual([{ input: { MedInc: 3.2 }, output: 2.5 }]);
    await again.close();
  });

  it('refuses a database whose schema is newer than this build knows', async () => {
    const dir = freshDir();
    const db = await openDatabase({ dir });
    await db.query('INSERT INTO schema_migrations (version, name) VALUES (999, $1)', ['future']);
    await db.close();
    await expect(openDatabase({ dir })).rejects.toThrow(/version 999, newer than this build knows/);
  });

  it('rolls a failed transaction back', async () => {
    const db = await openDatabase({ dir: freshDir() });
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO predictions VALUES ($1, $2, 0, now(), $3, NULL, 1)', [
          'p',
          'r',
          'v',
        ]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.query('SELECT id FROM predictions')).toEqual([]);
    await db.close();
  });
});

describe('DATABASE_URL', () => {
  it('names the variable when it is not a postgres URL', async () => {
    await expect(openDatabase({ url: 'mysql://x@localhost/db', dir: freshDir() })).rejects.toThrow(
      /DATABASE_URL has the scheme mysql:/,
    );
    await expect(openDatabase({ url: 'not a url', dir: freshDir() })).rejects.toThrow(
      /DATABASE_URL is not a URL/,
    );
  });

  it('keeps the password out of what it prints', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/log')).toBe('postgres://app:***@db:5432/log');
    expect(redactUrl('postgres://db/log')).toBe('postgres://db/log');
  });
});

describe('PostgreSQL through DATABASE_URL (a real server)', () => {
  let server: PostgresServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('migrates once however many replicas open it at the same moment', async () => {
    server = await startPostgres();
    const { url } = server;
    const replicas = await Promise.all([1, 2, 3].map(() => openDatabase({ url, dir: freshDir() })));
    expect(replicas.every((db) => db.kind === 'postgres')).toBe(true);
    const applied = await replicas[0]!.query<{ version: number }>(
      'SELECT version FROM schema_migrations',
    );
    expect(applied.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
    await Promise.all(replicas.map((db) => db.close()));
  });

  it('names DATABASE_URL, without its password, when nothing answers there', async () => {
    server = await startPostgres();
    const dead = server.url.replace('app@', 'app:hunter2@');
    await server.stop();
    server = undefined;
    const failure = openDatabase({ url: dead, dir: freshDir() });
    await expect(failure).rejects.toThrow(
      /cannot connect to the prediction log's PostgreSQL at postgres:\/\/app:\*\*\*@127\.0\.0\.1/,
    );
    await expect(failure).rejects.not.toThrow(/hunter2/);
  });
});
