import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  copyModel,
  post,
  removeDir,
  SAMPLE_ROW,
  startService,
  trainModel,
} from '@housing/test-support/service';

/**
 * Reloads that must be rejected, and what a rejection must leave as it was.
 * Two real models: A, which the service serves, and B, from another training
 * run (another seed), which a broken card or a mismatched pair tries to swap in.
 */
let modelA: string;
let modelB: string;
let cardA: unknown;
let cardB: unknown;
let onnxA: Buffer;
let onnxB: Buffer;
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

beforeAll(async () => {
  modelA = await trainModel();
  modelB = await trainModel(['--seed', '7']);
  [cardA, cardB] = await Promise.all(
    [modelA, modelB].map(
      async (dir) => JSON.parse(await readFile(join(dir, 'model.card.json'), 'utf8')) as unknown,
    ),
  );
  onnxA = await readFile(join(modelA, 'model.onnx'));
  onnxB = await readFile(join(modelB, 'model.onnx'));
}, 180_000);
afterAll(async () => {
  await removeDir(modelA);
  await removeDir(modelB);
});

const DELETE = Symbol('delete');

/** A copy of a card with the value at `path` replaced, or deleted. */
function edit(card: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(card) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  if (value === DELETE) delete node[last];
  else node[last] = value;
  return copy;
}

/** A copy of a card whose input `from` is called `to`, in its input list and its profile. */
function renameInput(card: unknown, from: string, to: string): unknown {
  const copy = structuredClone(card) as {
    onnx: { inputs: { name: string }[] };
    reference_profile: { columns: Record<string, unknown> };
  };
  for (const input of copy.onnx.inputs) if (input.name === from) input.name = to;
  const columns = copy.reference_profile.columns;
  columns[to] = columns[from];
  delete columns[from];
  return copy;
}

/** Puts an ONNX file and a card into a model folder, as a deploy would. */
async function place(dir: string, onnx: Buffer, card: unknown): Promise<void> {
  await writeFile(join(dir, 'model.onnx'), onnx);
  await writeFile(join(dir, 'model.card.json'), JSON.stringify(card, null, 2));
}

/** Everything a client or a scrape can see of the model being served. */
async function observed(url: string) {
  const predicted = await post(`${url}/v1/predict`, SAMPLE_ROW);
  const ready = (await (await fetch(`${url}/readyz`)).json()) as { model_version: string | null };
  const card = (await (await fetch(`${url}/v1/model`)).json()) as { model_version?: string };
  const openapi = (await (await fetch(`${url}/openapi.json`)).json()) as {
    info: { version: string };
  };
  const scrape = await (await fetch(`${url}/metrics`)).text();
  return {
    status: predicted.status,
    prediction: predicted.body.prediction,
    predictedBy: predicted.body.model_version,
    readyz: ready.model_version,
    card: card.model_version,
    openapi: openapi.info.version,
    // Every series a model load sets.
    modelMetrics: scrape
      .split('\n')
      .filter((line) =>
        /^model_(info|loaded|load_timestamp_seconds|training_metric|training_target_quantile)[{ ]/.test(
          line,
        ),
      ),
    predictionBuckets: [
      ...new Set(
        [...scrape.matchAll(/^model_prediction_value_bucket\{le="([^"]+)"/gm)].map((m) => m[1]),
      ),
    ],
  };
}

/** A process's threads and resident memory (MiB), as the kernel counts them. */
async function usage(pid: number): Promise<{ threads: number; rssMiB: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return {
    threads: Number(/^Threads:\s+(\d+)/m.exec(status)?.[1]),
    rssMiB: Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) / 1024,
  };
}

/** Reloads since startup (the startup load is one), by result. */
async function reloadCounts(url: string): Promise<{ success: number; failure: number }> {
  const scrape = await (await fetch(`${url}/metrics`)).text();
  const count = (result: string) =>
    Number(
      new RegExp(`^model_reloads_total\\{result="${result}"\\} (\\d+)`, 'm').exec(scrape)?.[1],
    );
  return { success: count('success'), failure: count('failure') };
}
const failedReloads = async (url: string) => (await reloadCounts(url)).failure;
/** Reloads after the startup load, whatever their result. */
const reloads = async (url: string) => {
  const { success, failure } = await reloadCounts(url);
  return success + failure - 1;
};

const versionOf = (card: unknown) => (card as { model_version: string }).model_version;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('a rejected reload', () => {
  it('changes nothing a client or a scrape can see, whatever card field is missing or bad', async () => {
    const dir = await copyModel(modelA);
    const service = await startService(dir);
    try {
      const before = await observed(service.url);
      expect(before.readyz).toBe(versionOf(cardA));
      expect(before.modelMetrics.length).toBeGreaterThan(5);
      // B's graph with a card broken in one field each: all but the field would load.
      const broken: [string, unknown, RegExp][] = [
        ['no metrics', edit(cardB, ['metrics'], DELETE), /\/metrics is required/],
        ['no data', edit(cardB, ['data'], DELETE), /\/data is required/],
        ['a metric not a number', edit(cardB, ['metrics', 'rmse'], 'low'), /\/metrics\/rmse /],
        ['a git sha not a string', edit(cardB, ['git_sha'], 42), /\/git_sha /],
        ['no data md5', edit(cardB, ['data', 'md5'], DELETE), /\/data\/md5 is required/],
        ['no reference profile', edit(cardB, ['reference_profile'], DELETE), /\/reference_profile/],
        [
          "no profile of the target (the prediction histogram's buckets)",
          edit(cardB, ['reference_profile', 'columns', 'median_house_value'], DELETE),
          /\/reference_profile\/columns\/median_house_value/,
        ],
        [
          'no profile of an input (the drift reference)',
          edit(cardB, ['reference_profile', 'columns', 'median_income'], DELETE),
          /\/reference_profile\/columns\/median_income/,
        ],
        [
          'bins and shares that disagree',
          edit(cardB, ['reference_profile', 'columns', 'median_income', 'shares'], [1]),
          /\/reference_profile\/columns\/median_income\/shares/,
        ],
        [
          'an input contract not an object',
          edit(cardB, ['input_contract'], 'x'),
          /\/input_contract /,
        ],
      ];
      for (const [what, card, message] of broken) {
        await place(dir, onnxB, card);
        const res = await post(`${service.url}/admin/reload`, {}, auth);
        expect(res.status, what).toBe(409);
        expect(res.body.error, what).toMatch(message);
        expect(res.body.error, what).not.toMatch(/ at .*\.ts:\d+/); // no stack trace
        expect(await observed(service.url), what).toEqual(before);
      }
      // The same folder with B's intact card loads: each broken field was the only reason.
      await place(dir, onnxB, cardB);
      expect((await post(`${service.url}/admin/reload`, {}, auth)).status).toBe(200);
      const after = await observed(service.url);
      expect(after.readyz).toBe(versionOf(cardB));
      expect(after.predictedBy).toBe(versionOf(cardB));
      expect(after.prediction).not.toBe(before.prediction);
    } finally {
      await service.stop();
      await removeDir(dir);
    }
  }, 120_000);

  it('rejects an input contract that cannot serve the graph, and changes nothing', async () => {
    // Each was accepted: /openapi.json then answered 500, or every valid row 400,
    // or {} was predicted from NaN features.
    const dir = await copyModel(modelA);
    const service = await startService(dir);
    try {
      const before = await observed(service.url);
      const contract = ['input_contract'];
      const property = (name: string) => [...contract, 'properties', name];
      const broken: [string, unknown][] = [
        ['an empty contract', edit(cardB, contract, {})],
        ['no properties', edit(cardB, [...contract, 'properties'], DELETE)],
        ['no required list', edit(cardB, [...contract, 'required'], DELETE)],
        ['a required list not of strings', edit(cardB, [...contract, 'required'], [1])],
        ['an input missing from it', edit(cardB, property('median_income'), DELETE)],
        ['an input that admits nothing', edit(cardB, property('median_income'), false)],
        ['an input typed as a string', edit(cardB, property('median_income'), { type: 'string' })],
        ['rows that must be arrays', edit(cardB, [...contract, 'type'], 'array')],
        [
          'a category list without the common category',
          edit(cardB, [...property('ocean_proximity'), 'enum'], ['NOWHERE']),
        ],
      ];
      for (const [what, card] of broken) {
        await place(dir, onnxB, card);
        const res = await post(`${service.url}/admin/reload`, {}, auth);
        expect(res.status, what).toBe(409);
        expect(res.body.error, what).toMatch(/\/input_contract/);
        expect(res.body.error!.length, what).toBeLessThan(1000);
        expect(await observed(service.url), what).toEqual(before);
      }
      // B's intact card loads, and its document is served: each broken part was the only reason.
      await place(dir, onnxB, cardB);
      expect((await post(`${service.url}/admin/reload`, {}, auth)).status).toBe(200);
      expect((await fetch(`${service.url}/openapi.json`)).status).toBe(200);
    } finally {
      await service.stop();
      await removeDir(dir);
    }
  }, 120_000);

  it('releases every thread a failed load started, over HTTP and SIGHUP, and the old model serves on', async () => {
    const dir = await copyModel(modelA);
    const service = await startService(dir);
    try {
      const pid = service.child.pid!;
      const before = await observed(service.url);
      const baseline = await usage(pid);
      // Failures at every stage of a load: the card's shape, the hash, the profiles, and
      // a card that contradicts its graph (found once onnxruntime has opened it).
      const kinds: [Buffer, unknown][] = [
        [onnxB, edit(cardB, ['reference_profile'], DELETE)],
        [onnxB, edit(cardB, ['metrics'], DELETE)],
        [onnxB, cardA],
        [onnxB, edit(cardB, ['reference_profile', 'columns', 'median_house_value'], DELETE)],
        [onnxB, edit(cardB, ['onnx', 'output'], 'price')],
        [onnxB, renameInput(cardB, 'median_income', 'income')],
        [onnxB, edit(cardB, ['data'], DELETE)],
      ];
      const rejections = 20;
      const statuses: number[] = [];
      for (let i = 0; i < rejections; i++) {
        const [onnx, card] = kinds[i % kinds.length]!;
        await place(dir, onnx, card);
        if (i % 4 === 3) {
          process.kill(pid, 'SIGHUP');
          await expect.poll(() => reloads(service.url), { timeout: 30_000 }).toBe(i + 1);
        } else {
          statuses.push((await post(`${service.url}/admin/reload`, {}, auth)).status);
        }
      }
      // A retired worker thread ends a moment after it is told to: poll, with a slack of two.
      await expect
        .poll(async () => (await usage(pid)).threads, { timeout: 20_000, interval: 200 })
        .toBeLessThanOrEqual(baseline.threads + 2);
      // Each leaked load held about 25 MiB (a V8 isolate and an onnxruntime session).
      expect((await usage(pid)).rssMiB - baseline.rssMiB).toBeLessThan(100);
      expect(statuses).toEqual(statuses.map(() => 409));
      expect(await failedReloads(service.url)).toBe(rejections);
      expect(await observed(service.url)).toEqual(before);
    } finally {
      await service.stop();
      await removeDir(dir);
    }
  }, 180_000);
});

describe('model files that are not regular files', () => {
  it('are rejected without being read, and later reloads still run', async () => {
    // A FIFO never ends (the load, and every reload after it, waited forever), and
    // /dev/zero or /dev/urandom never end either: that read grew the process by GBs.
    const dir = await copyModel(modelA);
    const service = await startService(dir);
    const reload = () =>
      fetch(`${service.url}/admin/reload`, {
        method: 'POST',
        headers: auth,
        // Only so that a reload that never ends fails this test instead of hanging it.
        signal: AbortSignal.timeout(15_000),
      }).then(async (res) => ({
        status: res.status,
        body: (await res.json()) as { error?: string },
      }));
    try {
      const before = await observed(service.url);
      for (const file of ['model.onnx', 'model.card.json']) {
        const path = join(dir, file);
        const saved = await readFile(path);
        for (const make of ['fifo', 'device']) {
          await rm(path);
          if (make === 'fifo') expect(spawnSync('mkfifo', [path]).status).toBe(0);
          else await symlink('/dev/null', path);
          const res = await reload();
          expect(res.status, `${file} as a ${make}`).toBe(409);
          expect(res.body.error, `${file} as a ${make}`).toMatch(/not a regular file/);
          expect(await observed(service.url)).toEqual(before);
        }
        await rm(path);
        await writeFile(path, saved);
      }
      expect((await reload()).status).toBe(200);
    } finally {
      await service.stop();
      await removeDir(dir);
    }
  }, 120_000);
});

describe("the card's ONNX hash", () => {
  it('rejects a model.onnx that is not the one its card describes, on reload and at startup', async () => {
    const dir = await copyModel(modelA);
    const service = await startService(dir);
    try {
      const before = await observed(service.url);

      // A model.onnx from another training run, beside the old card.
      await place(dir, onnxB, cardA);
      let res = await post(`${service.url}/admin/reload`, {}, auth);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatch(/sha256/);
      expect(res.body.error).toContain(sha256(onnxB));
      expect(await observed(service.url)).toEqual(before);

      // The right file, but a card with a wrong sha256.
      await place(dir, onnxA, edit(cardA, ['onnx', 'sha256'], 'ab'.repeat(32)));
      res = await post(`${service.url}/admin/reload`, {}, auth);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatch(/\/onnx\/sha256/);
      expect(await observed(service.url)).toEqual(before);

      // The right file and hash, under a version that is not derived from them.
      await place(dir, onnxA, edit(cardA, ['model_version'], 'gbdt-bbbbbbbbbbbb'));
      res = await post(`${service.url}/admin/reload`, {}, auth);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatch(/\/model_version/);
      expect(res.body.error).toContain(versionOf(cardA));
      expect(await observed(service.url)).toEqual(before);
    } finally {
      await service.stop();
    }

    // At startup: the service starts unready and says why.
    await place(dir, onnxB, cardA);
    const cold = await startService(dir);
    try {
      expect((await fetch(`${cold.url}/readyz`)).status).toBe(503);
      expect((await post(`${cold.url}/v1/predict`, SAMPLE_ROW)).status).toBe(503);
      const rejected = cold.logs
        .flatMap((line) => line.split('\n'))
        .filter((line) => line.includes('"model load rejected"'))
        .map((line) => (JSON.parse(line) as { err: string }).err);
      expect(rejected).toEqual([expect.stringMatching(/sha256/)]);
      // A 503 while no model is loaded is a state, not a bug: a warning, no stack trace.
      await cold.logged('"request refused"');
      const requestLines = cold.logs
        .flatMap((line) => line.split('\n'))
        .filter((line) => line.includes('/v1/predict') || line.includes('request '))
        .join('\n');
      expect(requestLines).not.toContain('"stack"');
    } finally {
      await cold.stop();
      await removeDir(dir);
    }
  }, 120_000);
});
