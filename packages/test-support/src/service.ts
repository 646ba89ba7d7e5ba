import {
  spawn,
  spawnSync,
  type ChildProcess,
  type ChildProcessByStdio,
  type SpawnSyncReturns,
} from 'node:child_process';
import type { Readable } from 'node:stream';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sharedModel } from './model-fixture.ts';
import { HOUSING_CSV, ROOT } from './root.ts';

export { HOUSING_CSV, ROOT };
export const ADMIN_TOKEN = 'test-token-0123456789abcdef';

/** One valid request row: the first row of the housing CSV, without its target. */
export const SAMPLE_ROW: Record<string, number | string | null> = {
  longitude: -122.23,
  latitude: 37.88,
  housing_median_age: 41,
  total_rooms: 880,
  total_bedrooms: 129,
  population: 322,
  households: 126,
  median_income: 8.3252,
  ocean_proximity: 'NEAR BAY',
};

/** Trains into `dir` with the pipeline's own CLIs (train, then evaluate), as a user would. */
function trainInto(dir: string, trainArgs: string[]): void {
  for (const args of [
    ['pipeline/src/cli/train.ts', '--data', HOUSING_CSV, '--out', dir, ...trainArgs],
    ['pipeline/src/cli/evaluate.ts', '--model-dir', dir, '--metrics', join(dir, 'metrics.json')],
  ]) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true' },
    });
    if (run.status !== 0) throw new Error(`${args[0]} failed: ${run.stderr}`);
  }
}

/**
 * A trained model in a new folder of the caller's own, which it may break and remove;
 * `trainArgs` go to the train CLI (e.g. `--seed 7` for a model from another training run).
 * Under the integration project each distinct `trainArgs` trains once per run and every
 * caller gets a copy (./model-fixture.ts); elsewhere each call trains.
 */
export async function trainModel(trainArgs: string[] = []): Promise<string> {
  const shared = await sharedModel(trainArgs, trainInto);
  if (shared !== undefined) return copyModel(shared);
  const dir = await mkdtemp(join(tmpdir(), 'service-model-'));
  trainInto(dir, trainArgs);
  return dir;
}

/** A copy of a model folder that a test may break. */
export async function copyModel(dir: string): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), 'service-model-copy-'));
  await cp(dir, copy, { recursive: true });
  return copy;
}

/** The service running as a real child process, started exactly as the image starts it. */
export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  logs: string[];
  exited: Promise<number | null>;
  /**
   * Waits until a log line contains `text`. The service logs a request once
   * its reply is sent, so the client can hold the reply before the line has
   * crossed the pipe: read logs about a request through this, not `logs`.
   */
  logged(text: string): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Spawns `node --import tsx service/src/main.ts` on 127.0.0.1:0 with the
 * tests' settings, stdout and stderr piped, and returns at once: for tests
 * about startup itself. Most want {@link startService}.
 */
export function spawnService(
  modelDir: string,
  env: Record<string, string> = {},
): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, ['--import', 'tsx', 'service/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      MODEL_DIR: modelDir,
      ADMIN_TOKEN,
      LOG_LEVEL: 'info',
      // Tests stop services often; the one that tests the drain sets it.
      SHUTDOWN_DRAIN_MS: '0',
      // Each embedded log is a PostgreSQL in WebAssembly, seconds to start, and one folder
      // serves one process: the prediction log's own tests turn it on, with a folder each.
      PREDICTION_LOG: 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Runs `node --import tsx service/src/main.ts` to its end, for configuration
 * that must stop it before it listens: its status, stdout and stderr. Its
 * environment is only PATH, HOST=127.0.0.1, PORT=0, MODEL_DIR and `env`, not
 * this process's nor {@link spawnService}'s settings, so every variable a test
 * leaves out (ADMIN_TOKEN, DATABASE_URL...) is unset. A service that starts
 * serving instead is killed after `timeoutMs`, its status null.
 */
export function runServiceCli(
  modelDir: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', 'tsx', 'service/src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      MODEL_DIR: modelDir,
      ...env,
    },
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
}

/** Starts `node --import tsx service/src/main.ts` on 127.0.0.1:0 and waits for its "listening" line. */
export async function startService(
  modelDir: string,
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  const child = spawnService(modelDir, env);
  const logs: string[] = [];
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  child.stderr.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  const port = await new Promise<number>((done, fail) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      logs.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && entry.port) done(entry.port);
      } catch {
        // not JSON
      }
    });
    void exited.then((code) =>
      fail(new Error(`service exited with ${code} before listening:\n${logs.join('\n')}`)),
    );
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    logs,
    exited,
    async logged(text) {
      const matching = () =>
        logs.flatMap((chunk) => chunk.split('\n')).filter((line) => line.includes(text));
      // Bounded by lines, not by a deadline: 500 polls of 10 ms.
      for (let i = 0; i < 500 && matching().length === 0; i++) {
        await new Promise((done) => setTimeout(done, 10));
      }
      if (matching().length === 0) {
        throw new Error(`no log line contains ${JSON.stringify(text)}:\n${logs.join('\n')}`);
      }
      return matching();
    },
    async stop() {
      if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGTERM');
      await exited;
    },
  };
}

/** The housing CSV's rows as request objects (null for an empty cell), with their targets. */
export async function housingRows(): Promise<{
  rows: Record<string, number | string | null>[];
  header: string[];
}> {
  const lines = (await readFile(HOUSING_CSV, 'utf8')).trimEnd().split('\n');
  const header = lines[0]!.split(',');
  const rows = lines.slice(1).map((line) => {
    const fields = line.split(',');
    return Object.fromEntries(
      header.map((h, i) => [
        h,
        h === 'ocean_proximity' ? fields[i]! : fields[i] === '' ? null : Number(fields[i]),
      ]),
    );
  });
  return { rows, header };
}

/** Removes a folder made by the fixtures. */
export const removeDir = (dir: string) => rm(dir, { recursive: true, force: true });

/** The JSON bodies the service answers with. */
export interface ApiBody {
  error?: string;
  details?: { path: string; message: string }[];
  prediction?: number;
  predictions?: number[];
  /** Each prediction's id, for POST /v1/feedback. */
  prediction_id?: string;
  prediction_ids?: string[];
  model_version?: string;
  previous?: string | null;
  request_id?: string;
}

/** POSTs JSON (or a raw string) and returns the status and the parsed body. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: ApiBody }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: ApiBody = { error: text };
  try {
    parsed = JSON.parse(text) as ApiBody;
  } catch {
    // not JSON: keep the text as the error
  }
  return { status: res.status, body: parsed };
}
