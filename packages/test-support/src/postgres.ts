/**
 * A real PostgreSQL server for one test file: its own cluster in a temporary
 * folder, listening on 127.0.0.1 at a free port, stopped by its PID. It uses
 * Debian's `postgresql` package (.ci/run installs it where it is missing).
 * As root, the server runs as the package's `postgres` user, because
 * PostgreSQL refuses to run as root.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '@housing/core/free-port';

/** A running PostgreSQL server with one empty database. */
export interface PostgresServer {
  /** `postgres://app@127.0.0.1:<port>/<database>` (trust authentication on loopback). */
  url: string;
  port: number;
  /** The server process's PID, for the tests that kill it to play a dead database. */
  pid: number;
  /** Stops the server by its PID (SIGTERM, then SIGKILL) and removes its folder. */
  stop(): Promise<void>;
}

/** Where Debian puts the newest installed PostgreSQL's programs, or undefined. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((bin) => existsSync(join(bin, 'initdb')));
}

/** Starts a fresh cluster and creates `database` in it. */
export async function startPostgres(database = 'predictions'): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin)
    throw new Error(
      'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql, as .ci/run does',
    );
  const folder = mkdtempSync(join(tmpdir(), 'housing-postgres-'));
  const owner = runAs();
  if (owner) chownSync(folder, owner.uid, owner.gid);
  const data = join(folder, 'data');
  execFileSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'app', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
    { stdio: 'pipe', ...owner },
  );
  const port = await freePort();
  const server = spawn(
    join(bin, 'postgres'),
    [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      folder,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
    ],
    { stdio: 'ignore', ...owner },
  );
  const stop = () => stopServer(server, folder);
  try {
    await waitForServer(port);
    await adminQuery(port, `CREATE DATABASE ${database}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://app@127.0.0.1:${port}/${database}`, port, pid: server.pid ?? -1, stop };
}

/** The `postgres` user's ids when running as root; PostgreSQL will not run as root. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function adminQuery(port: number, sql: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'app', database: 'postgres' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function waitForServer(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await adminQuery(port, 'SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(
          `PostgreSQL did not accept connections on port ${port} within ${timeoutMs} ms: ${(error as Error).message}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function stopServer(server: ChildProcess, folder: string): Promise<void> {
  if (server.exitCode === null && server.signalCode === null) {
    const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
    // SIGTERM is PostgreSQL's "smart" shutdown; SIGQUIT its immediate one, which is all a test needs.
    server.kill('SIGQUIT');
    const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(folder, { recursive: true, force: true });
}
