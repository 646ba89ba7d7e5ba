import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { ConfigurationError } from '@housing/core/errors';
import { MIGRATIONS, type Migration } from './migrations.ts';

/**
 * The one thing callers need from either store: parameterised SQL in, rows
 * out. pg's Pool and PGlite both answer `query(text, params)` with `{ rows }`,
 * so every query in the project is written once, for PostgreSQL.
 */
export interface Database {
  /** `'postgres'` behind DATABASE_URL, `'pglite'` for the embedded folder. */
  readonly kind: 'postgres' | 'pglite';
  /** Where it lives, for logs: the folder, or the URL without its password. */
  readonly where: string;
  query<Row extends object = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<Row[]>;
  /** Runs `work` in one transaction on one connection; rolls back if it throws. */
  transaction<T>(work: (tx: Pick<Database, 'query'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Where the prediction log lives. */
export interface DatabaseOptions {
  /** A `postgres://` URL: PostgreSQL through pg. Unset: the embedded store in `dir`. */
  url?: string | undefined;
  /** The embedded store's folder (created if missing). */
  dir: string;
  /** Largest number of pooled PostgreSQL connections. */
  maxConnections?: number;
}

/**
 * Opens the store `options` names and brings its schema up to date, so a
 * caller never sees a half-migrated database. Fails with a
 * {@link ConfigurationError} naming DATABASE_URL (or the folder) when the
 * store cannot be reached or opened.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const database = options.url
    ? await openPostgres(options.url, options.maxConnections ?? 4)
    : await openPglite(options.dir);
  try {
    await migrate(database);
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
  return database;
}

/** The URL with its password replaced, safe for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

async function openPostgres(url: string, max: number): Promise<Database> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigurationError(
      'DATABASE_URL is not a URL: expected postgres://user:password@host:port/database',
      'DATABASE_URL',
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new ConfigurationError(
      `DATABASE_URL has the scheme ${parsed.protocol}: expected postgres:// or postgresql://`,
      'DATABASE_URL',
    );
  const where = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5000 });
  // An idle client that loses its server emits 'error' on the pool; unhandled, it would
  // end the process. The next query gets a fresh connection or a clear error instead.
  pool.on('error', () => undefined);
  try {
    (await pool.connect()).release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new ConfigurationError(
      `cannot connect to the prediction log's PostgreSQL at ${where}: ${(error as Error).message}`,
      'DATABASE_URL',
    );
  }
  return {
    kind: 'postgres',
    where,
    async query(text, params) {
      const result = await pool.query(text, params as unknown[] | undefined);
      return result.rows as never;
    },
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const value = await work({
          query: async (text, params) =>
            (await client.query(text, params as unknown[] | undefined)).rows as never,
        });
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(dir: string): Promise<Database> {
  let db: PGlite;
  try {
    db = await PGlite.create(dir);
  } catch (error) {
    throw new ConfigurationError(
      `cannot open the embedded prediction log in ${dir}: ${(error as Error).message}`,
      dir,
    );
  }
  return {
    kind: 'pglite',
    where: dir,
    async query(text, params) {
      return (await db.query(text, params as unknown[] | undefined)).rows as never;
    },
    transaction: (work) =>
      db.transaction((tx) =>
        work({
          query: async (text, params) =>
            (await tx.query(text, params as unknown[] | undefined)).rows as never,
        }),
      ),
    close: () => db.close(),
  };
}

/**
 * Applies the migrations the store has not run, each in its own transaction
 * with its record. Replicas starting together take an advisory lock first, so
 * only one runs each migration.
 */
async function migrate(database: Database): Promise<void> {
  await database.transaction(async (tx) => {
    // Held until the transaction ends; the key is arbitrary but fixed. Taken before
    // the CREATE: two replicas creating the table at once would collide in the catalog.
    await tx.query('SELECT pg_advisory_xact_lock(7240917)');
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map(
        (row) => row.version,
      ),
    );
    const newest = Math.max(0, ...done);
    const known = MIGRATIONS.at(-1)?.version ?? 0;
    if (newest > known)
      throw new ConfigurationError(
        `the prediction log's schema is at version ${newest}, newer than this build knows (${known}): run the newer service, or point it at another database`,
      );
    for (const migration of MIGRATIONS.filter((m: Migration) => !done.has(m.version))) {
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    }
  });
}
