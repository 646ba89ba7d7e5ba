import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@housing/prediction-store/database';
import { startPostgres, type PostgresServer } from '@housing/test-support/postgres';
import {
  ADMIN_TOKEN,
  ROOT,
  SAMPLE_ROW,
  copyModel,
  post,
  removeDir,
  runServiceCli,
  startService,
  trainModel,
  type ServiceProcess,
} from '@housing/test-support/service';

/**
 * The prediction log and POST /v1/feedback in the real service process,
 * against a real PostgreSQL (DATABASE_URL) and the embedded PGlite.
 */
const FEEDBACK_TOKEN = 'feedback-SECRET-0123456789abcdef';
const auth = { authorization: `Bearer ${FEEDBACK_TOKEN}` };

let modelDir: string;
let dir: string;
let postgres: PostgresServer | undefined;
const services: ServiceProcess[] = [];
const databases: Database[] = [];

beforeAll(async () => {
  modelDir = await trainModel();
  dir = await mkdtemp(join(tmpdir(), 'service-prediction-log-'));
}, 120_000);
afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.stop()));
  await Promise.all(databases.splice(0).map((db) => db.close()));
  await postgres?.stop();
  postgres = undefined;
});
afterAll(async () => {
  await removeDir(modelDir);
  await rm(dir, { recursive: true, force: true });
});

/** The service with its log on, in a folder of its own unless `env` names a database. */
async function serve(env: Record<string, string> = {}, model = modelDir): Promise<ServiceProcess> {
  const service = await startService(model, {
    PREDICTION_LOG: 'on',
    PREDICTION_LOG_DIR: join(dir, `log-${services.length}-${Date.now()}`),
    FEEDBACK_TOKEN,
    PREDICTION_LOG_FLUSH_MS: '50',
    ...env,
  });
  services.push(service);
  return service;
}

async function pgDatabase(): Promise<{ url: string; db: Database }> {
  postgres = await startPostgres();
  const db = await openDatabase({ url: postgres.url, dir: join(dir, 'unused') });
  databases.push(db);
  return { url: postgres.url, db };
}

/** A metric's value from /metrics (0 when absent). */
async function metric(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Polls `read` until `done` holds, bounded by attempts (never by a deadline). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 300 && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

interface Answer {
  prediction_id?: string;
  prediction_ids?: string[];
  predictions?: number[];
  prediction?: number;
}

const predictOne = async (url: string) =>
  (await post(`${url}/v1/predict`, SAMPLE_ROW)).body as Answer;

describe('every prediction carries its own id and lands in the log', () => {
  it('PostgreSQL: one row per predicted row, with its id, request, input and output', async () => {
    const { url, db } = await pgDatabase();
    const service = await serve({ DATABASE_URL: url });
    const one = await post(`${service.url}/v1/predict`, SAMPLE_ROW, {
      'x-request-id': 'client-chosen',
    });
    expect(one.status).toBe(200);
    expect(one.body.prediction_id).toMatch(/^[0-9a-f-]{36}$/);
    const batch = await post(`${service.url}/v1/predict/batch`, {
      instances: [SAMPLE_ROW, { ...SAMPLE_ROW, median_income: 2 }, SAMPLE_ROW],
    });
    const ids = batch.body.prediction_ids!;
    expect(ids).toHaveLength(3);
    expect(new Set([...ids, one.body.prediction_id]).size).toBe(4);
    const rows = await until(
      () =>
        db.query<{
          id: string;
          request_id: string;
          row_index: number;
          input: unknown;
          output: number;
        }>(
          'SELECT id, request_id, row_index, input, output FROM predictions ORDER BY request_id, row_index',
        ),
      (found) => found.length === 4,
    );
    expect(rows).toHaveLength(4);
    const single = rows.find((row) => row.id === one.body.prediction_id)!;
    expect(single).toMatchObject({ request_id: 'client-chosen', row_index: 0, input: SAMPLE_ROW });
    expect(single.output).toBe(one.body.prediction);
    for (const [i, id] of ids.entries()) {
      const row = rows.find((r) => r.id === id)!;
      expect(row.row_index).toBe(i);
      expect(row.output).toBe(batch.body.predictions![i]);
    }
    expect(await metric(service.url, 'prediction_log_written_total')).toBe(4);
  }, 120_000);

  it('PGlite by default, and PREDICTION_LOG_INPUTS=off stores no input', async () => {
    const folder = join(dir, 'pglite-inputs-off');
    const service = await serve({ PREDICTION_LOG_DIR: folder, PREDICTION_LOG_INPUTS: 'off' });
    const answer = await predictOne(service.url);
    await until(
      () => metric(service.url, 'prediction_log_written_total'),
      (n) => n === 1,
    );
    await service.stop();
    const db = await openDatabase({ dir: folder });
    databases.push(db);
    expect(await db.query('SELECT id, input FROM predictions')).toEqual([
      { id: answer.prediction_id, input: null },
    ]);
  }, 120_000);

  it('counts a request that does not fit the queue as queue_full, whole', async () => {
    const service = await serve({
      PREDICTION_LOG_QUEUE_ROWS: '2',
      PREDICTION_LOG_BATCH_ROWS: '2',
      PREDICTION_LOG_FLUSH_MS: '600000',
    });
    const res = await post(`${service.url}/v1/predict/batch`, {
      instances: [SAMPLE_ROW, SAMPLE_ROW, SAMPLE_ROW],
    });
    expect(res.status).toBe(200);
    expect(await metric(service.url, 'prediction_log_dropped_total{reason="queue_full"}')).toBe(3);
    expect((await post(`${service.url}/v1/predict`, SAMPLE_ROW)).status).toBe(200);
    expect(await metric(service.url, 'prediction_log_queue_rows')).toBe(1);
  }, 120_000);

  it('keeps predicting when PostgreSQL is killed, and counts the rows it could not write', async () => {
    const { url } = await pgDatabase();
    const service = await serve({ DATABASE_URL: url });
    await predictOne(service.url);
    await until(
      () => metric(service.url, 'prediction_log_written_total'),
      (n) => n === 1,
    );
    process.kill(postgres!.pid, 'SIGKILL');
    for (let i = 0; i < 20; i++) {
      const res = await post(`${service.url}/v1/predict`, SAMPLE_ROW);
      expect(res.status).toBe(200);
    }
    const failed = await until(
      () => metric(service.url, 'prediction_log_dropped_total{reason="write_failed"}'),
      (n) => n === 20,
    );
    expect(failed).toBe(20);
    const warnings = await service.logged('a write failed');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toContain('NEAR BAY');
  }, 120_000);

  it('writes what is queued on SIGTERM, and logs what it wrote', async () => {
    const { url, db } = await pgDatabase();
    const service = await serve({ DATABASE_URL: url, PREDICTION_LOG_FLUSH_MS: '600000' });
    const ids = await Promise.all([1, 2, 3, 4, 5].map(() => predictOne(service.url)));
    expect(await db.query('SELECT id FROM predictions')).toEqual([]);
    await service.stop();
    expect(await service.exited).toBe(0);
    const rows = await db.query<{ id: string }>('SELECT id FROM predictions');
    expect(rows.map((r) => r.id).sort()).toEqual(ids.map((a) => a.prediction_id).sort());
    expect(service.logs.join('\n')).toMatch(/"written":5,.*"prediction log closed"/);
  }, 120_000);
});

describe('POST /v1/feedback', () => {
  it('records ground truth once per id: 200, 200 again, 409, 404, 401, and moves the live metrics', async () => {
    const { url } = await pgDatabase();
    const service = await serve({ DATABASE_URL: url });
    const answer = await predictOne(service.url);
    const id = answer.prediction_id!;
    const feedback = `${service.url}/v1/feedback`;
    await until(
      () => metric(service.url, 'prediction_log_written_total'),
      (n) => n === 1,
    );
    expect((await post(feedback, { id, actual: 400_000 })).status).toBe(401);
    expect(
      (await post(feedback, { id, actual: 400_000 }, { authorization: `Bearer ${ADMIN_TOKEN}` }))
        .status,
    ).toBe(401);
    const first = await post(feedback, { id, actual: 400_000 }, auth);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id, result: 'recorded' });
    expect((await post(feedback, { id, actual: 400_000 }, auth)).body).toMatchObject({
      result: 'duplicate',
    });
    const conflict = await post(feedback, { id, actual: 300_000 }, auth);
    expect(conflict.status).toBe(409);
    const unknown = await post(feedback, { id: 'no-such-prediction', actual: 1 }, auth);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/not written yet.*retry later/);
    const version = (await (await fetch(`${service.url}/v1/model`)).json()) as {
      model_version: string;
    };
    const labels = `{model_version="${version.model_version}"}`;
    const error = answer.prediction! - 400_000;
    expect(await metric(service.url, `model_feedback_total${labels}`)).toBe(1);
    expect(await metric(service.url, `model_feedback_squared_error_total${labels}`)).toBeCloseTo(
      error * error,
      0,
    );
    expect(await metric(service.url, `model_feedback_absolute_error_total${labels}`)).toBeCloseTo(
      Math.abs(error),
      3,
    );
    const batch = await post(
      feedback,
      {
        items: [
          { id, actual: 400_000 },
          { id: 'nope', actual: 2 },
          { id, actual: 1 },
        ],
      },
      auth,
    );
    expect(batch.status).toBe(400);
    expect(batch.body.details).toEqual([{ path: '/items/2/id', message: 'repeats /items/0/id' }]);
    const results = await post(
      feedback,
      {
        items: [
          { id, actual: 1 },
          { id: 'nope', actual: 2 },
        ],
      },
      auth,
    );
    expect(results.status).toBe(200);
    expect((results.body as { results: unknown }).results).toEqual([
      expect.objectContaining({ id, status: 409, result: 'conflict' }),
      expect.objectContaining({ id: 'nope', status: 404, result: 'unknown' }),
    ]);
    expect(await metric(service.url, `model_feedback_total${labels}`)).toBe(1);
  }, 120_000);

  it("checks actual against the card's target contract, naming it by JSON Pointer (400)", async () => {
    const model = await copyModel(modelDir);
    try {
      const cardFile = join(model, 'model.card.json');
      const contract = JSON.parse(
        await readFile(join(ROOT, 'pipeline/contract/housing.contract.json'), 'utf8'),
      ) as { target: string; row: { properties: Record<string, unknown> } };
      const card = JSON.parse(await readFile(cardFile, 'utf8')) as Record<string, unknown>;
      card.target_contract = contract.row.properties[contract.target];
      await writeFile(cardFile, JSON.stringify(card));
      const service = await serve({}, model);
      const feedback = `${service.url}/v1/feedback`;
      const high = await post(feedback, { id: 'x', actual: 2_000_000 }, auth);
      expect(high.status).toBe(400);
      expect(high.body.details).toEqual([{ path: '/actual', message: 'must be <= 1000000' }]);
      const batch = await post(
        feedback,
        {
          items: [
            { id: 'a', actual: 1 },
            { id: 'b', actual: 0 },
            { id: 'c', actual: 'x' },
          ],
        },
        auth,
      );
      expect(batch.status).toBe(400);
      expect(batch.body.details).toEqual([
        { path: '/items/1/actual', message: 'must be > 0' },
        { path: '/items/2/actual', message: 'must be a finite number' },
      ]);
      const doc = (await (await fetch(`${service.url}/openapi.json`)).json()) as {
        paths: Record<string, { post: { requestBody: unknown } }>;
      };
      expect(JSON.stringify(doc.paths['/v1/feedback']!.post.requestBody)).toContain(
        '"maximum":1000000',
      );
    } finally {
      await removeDir(model);
    }
  }, 120_000);

  it('bounds actual even when the card has no target_contract, so nothing recorded escapes the counters', async () => {
    // A card written before target_contract existed, as a fork's production model may be.
    const model = await copyModel(modelDir);
    try {
      const cardFile = join(model, 'model.card.json');
      const card = JSON.parse(await readFile(cardFile, 'utf8')) as Record<string, unknown>;
      delete card.target_contract;
      await writeFile(cardFile, JSON.stringify(card));
      const service = await serve({}, model);
      const id = (await predictOne(service.url)).prediction_id!;
      await until(
        () => metric(service.url, 'prediction_log_written_total'),
        (n) => n === 1,
      );
      const feedback = `${service.url}/v1/feedback`;
      // 1e308 is finite, but its squared error is not: it used to be recorded, then answered 500.
      const huge = await post(feedback, { id, actual: 1e308 }, auth);
      expect(huge.status).toBe(400);
      expect(huge.body.details).toEqual([
        {
          path: '/actual',
          message: expect.stringMatching(
            /^must be between -9007199254740991 and 9007199254740991 \(the model card has no target_contract/,
          ) as unknown,
        },
      ]);
      const ok = await post(feedback, { id, actual: 250_000 }, auth);
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ result: 'recorded' });
      const labels = `{model_version="${card.model_version as string}"}`;
      expect(await metric(service.url, `model_feedback_total${labels}`)).toBe(1);
    } finally {
      await removeDir(model);
    }
  }, 120_000);

  it('answers 503 without the log, and 404 without a token', async () => {
    const off = await serve({ PREDICTION_LOG: 'off' });
    const res = await post(`${off.url}/v1/feedback`, { id: 'a', actual: 1 }, auth);
    expect(res.status).toBe(503);
    expect(res.body.error).toMatch(/PREDICTION_LOG=off/);
    const noToken = await serve({ PREDICTION_LOG: 'off', FEEDBACK_TOKEN: '' });
    const disabled = await post(`${noToken.url}/v1/feedback`, { id: 'a', actual: 1 }, auth);
    expect(disabled.status).toBe(404);
    expect(disabled.body.error).toMatch(/set FEEDBACK_TOKEN or FEEDBACK_TOKEN_FILE/);
  }, 120_000);
});

describe('configuration errors: one line, exit 2', () => {
  const run = (env: Record<string, string>) =>
    runServiceCli(modelDir, { PREDICTION_LOG_DIR: join(dir, 'config-errors'), ...env }, 60_000);

  it('names DATABASE_URL, without its password, when nothing answers there', () => {
    const result = run({ DATABASE_URL: 'postgres://app:hunter2@127.0.0.1:1/predictions' });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toMatch(
      /^error: DATABASE_URL: cannot connect to the prediction log's PostgreSQL at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/predictions: .*\n$/,
    );
    expect(result.stderr + result.stdout).not.toContain('hunter2');
  }, 60_000);

  it('refuses bad values, and a feedback token equal to the admin token, naming each variable', () => {
    const result = run({
      PREDICTION_LOG: 'maybe',
      PREDICTION_LOG_QUEUE_ROWS: '0',
      DATABASE_URL: 'mysql://x:pw@db/log',
      ADMIN_TOKEN,
      FEEDBACK_TOKEN: ADMIN_TOKEN,
    });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain('PREDICTION_LOG_QUEUE_ROWS="0"');
    expect(result.stderr).toContain('PREDICTION_LOG="maybe": expected on or off');
    expect(result.stderr).toContain("DATABASE_URL: the scheme is 'mysql:'");
    expect(result.stderr).toContain('FEEDBACK_TOKEN: must differ from ADMIN_TOKEN');
    expect(result.stderr).not.toContain(ADMIN_TOKEN);
    expect(result.stderr).not.toContain('pw@');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
