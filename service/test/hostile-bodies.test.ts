import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { connect } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readModelCard } from '@housing/model-card/read';
import type { ModelCard } from '@housing/model-card/schema';
import { DriftMonitor } from '../src/drift-monitor.ts';
import { ProblemList } from '../src/http/errors.ts';
import { readJsonBody } from '@housing/core/http-body';
import { bodyBudget, checkRow } from '../src/routes/check-row.ts';
import { createMetrics } from '../src/metrics.ts';
import {
  SAMPLE_ROW,
  post,
  removeDir,
  startService,
  trainModel,
  type ServiceProcess,
} from '@housing/test-support/service';

/** The service's default BODY_LIMIT_BYTES: every body below gets an answer below 500. */
const BODY_LIMIT = 1_048_576;
/** The most details any error answer may list. */
const MAX_DETAILS = 100;
/**
 * The most bytes an error answer may take: 100 details of a capped path and a
 * message each, about what a good 1,000-row batch's answer takes (~20 KB).
 */
const MAX_ERROR_REPLY_BYTES = 32_768;

let modelDir: string;
let service: ServiceProcess;
let card: ModelCard;

beforeAll(async () => {
  modelDir = await trainModel();
  card = await readModelCard(join(modelDir, 'model.card.json'));
  service = await startService(modelDir);
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await removeDir(modelDir);
});

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** The i-th short key name (1 to 3 characters): never a feature's name. */
function shortKey(i: number): string {
  let key = '';
  let n = i;
  do {
    key += ALPHABET[n % ALPHABET.length];
    n = Math.floor(n / ALPHABET.length) - 1;
  } while (n >= 0);
  return key;
}

/**
 * `"a":0,"b":0,...`: as many unknown keys as fit in `bytes`, shortest first,
 * so that one body carries the most keys the size limit lets through.
 */
function unknownKeys(bytes: number): { json: string; count: number } {
  const parts: string[] = [];
  let used = 0;
  for (let i = 0; ; i++) {
    const part = `"${shortKey(i)}":0`;
    if (used + part.length + 1 > bytes) break;
    parts.push(part);
    used += part.length + 1;
  }
  return { json: parts.join(','), count: parts.length };
}

/** SAMPLE_ROW with `extra` (`"k":v,...`) spliced in as further properties. */
function rowWith(extra: string): string {
  return `${JSON.stringify(SAMPLE_ROW).slice(0, -1)},${extra}}`;
}

/** POSTs a raw body and returns the status, the reply's size in bytes and its parsed JSON. */
async function postRaw(
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; bytes: number; json: { error?: string; details?: unknown[] } }> {
  const res = await fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const raw = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    bytes: raw.length,
    json: JSON.parse(raw.toString('utf8')) as { error?: string; details?: unknown[] },
  };
}

/** Expects a 400 that lists at most MAX_DETAILS details in at most MAX_ERROR_REPLY_BYTES. */
function expectBoundedRejection(res: Awaited<ReturnType<typeof postRaw>>): void {
  expect(res.status).toBe(400);
  expect(res.json.details!.length).toBeGreaterThan(0);
  expect(res.json.details!.length).toBeLessThanOrEqual(MAX_DETAILS);
  expect(res.bytes).toBeLessThanOrEqual(MAX_ERROR_REPLY_BYTES);
}

describe('bodies within the size limit never get a 5xx (issue 11, item 1)', () => {
  it('rejects one batch row with ~130,000 unknown keys with a 400, not a stack overflow', async () => {
    const prefix = '{"instances":[';
    const suffix = ']}';
    const rowBytes = BODY_LIMIT - prefix.length - suffix.length - 1_000;
    const { json, count } = unknownKeys(rowBytes - JSON.stringify(SAMPLE_ROW).length);
    const body = `${prefix}${rowWith(json)}${suffix}`;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(BODY_LIMIT);
    expect(count).toBeGreaterThan(125_000);
    const res = await postRaw('/v1/predict/batch', body);
    expectBoundedRejection(res);
    // More keys than 1,000 rows of 9 features have: refused before JSON.parse.
    expect(res.json.error).toMatch(/^the body has more than 9001 keys/);
  });

  it('rejects the same keys spread over many rows, and on the single-row route', async () => {
    // 400 rows of ~2 KB of unknown keys each: each row alone is small, the total is not.
    const { json } = unknownKeys(2_000);
    const rows = Array.from({ length: 400 }, () => rowWith(json));
    const batch = await postRaw('/v1/predict/batch', `{"instances":[${rows.join(',')}]}`);
    expectBoundedRejection(batch);
    const { json: single } = unknownKeys(BODY_LIMIT - 1_000);
    expectBoundedRejection(await postRaw('/v1/predict', rowWith(single)));
  });

  it('tells a client one row over the batch limit what the limit is', async () => {
    // 1,001 valid rows hold more keys than 1,000 do: refused unparsed, but by the rule it broke.
    const res = await postRaw(
      '/v1/predict/batch',
      JSON.stringify({ instances: Array(1001).fill(SAMPLE_ROW) }),
    );
    expectBoundedRejection(res);
    expect(res.json.error).toMatch(/1000 rows/);
  });

  it('still accepts the largest valid batch, padded to the size limit', async () => {
    const row = JSON.stringify(SAMPLE_ROW);
    const pad = ' '.repeat(Math.floor((BODY_LIMIT - 20) / 1000) - row.length - 1);
    const body = `{"instances":[${Array.from({ length: 1000 }, () => `${row.slice(0, -1)}${pad}}`).join(',')}]}`;
    expect(Buffer.byteLength(body)).toBeGreaterThan(BODY_LIMIT - 2_000);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(BODY_LIMIT);
    const res = await postRaw('/v1/predict/batch', body);
    expect(res.status).toBe(200);
  });

  it('rejects deeply nested values and rows with a 400', async () => {
    const depth = 200_000;
    const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const deepValue = await postRaw('/v1/predict', rowWith(`"total_rooms_x":${nested}`));
    expectBoundedRejection(deepValue);
    const deepRow = await postRaw('/v1/predict/batch', `{"instances":[${nested}]}`);
    expectBoundedRejection(deepRow);
    const deepFeature = await postRaw(
      '/v1/predict',
      JSON.stringify({ ...SAMPLE_ROW, total_rooms: 0 }).replace(
        '"total_rooms":0',
        `"total_rooms":${nested}`,
      ),
    );
    expectBoundedRejection(deepFeature);
    // 200,000 arrays are more than any valid request holds: refused before they are parsed.
    expect(deepFeature.json.error).toMatch(/objects and arrays/);
    // A feature nested a little deep is parsed, and named by its path.
    const shallow = await postRaw(
      '/v1/predict',
      JSON.stringify({ ...SAMPLE_ROW, total_rooms: [[[[1]]]] }),
    );
    expect(shallow.json.details).toContainEqual({
      path: '/total_rooms',
      message: 'must be number',
    });
  });
});

describe('bodies of many objects or arrays cost no more than a good one (issue 11, items 1 and 2)', () => {
  // JSON.parse pays for every object and array it builds, ~20 times what a number costs:
  // 330,000 "{}" take ~80 ms, 15,000 arrays nested 32 deep ~140 ms, a good 1 MB batch ~1 ms.
  // None has a ':' for the key budget to count.
  const hostile = {
    'empty objects as rows': `{"instances":[${Array(300_000).fill('{}').join(',')}]}`,
    'empty arrays as rows': `{"instances":[${Array(300_000).fill('[]').join(',')}]}`,
    'arrays nested 32 deep': `{"instances":[${Array(15_000)
      .fill(`${'['.repeat(32)}${']'.repeat(32)}`)
      .join(',')}]}`,
    'one array nested 400,000 deep': `${'['.repeat(400_000)}${']'.repeat(400_000)}`,
    'a feature nested 200,000 deep': rowWith(`"x":${'['.repeat(200_000)}${']'.repeat(200_000)}`),
  };

  /** A request carrying `body` as readJsonBody reads it. */
  const request = (body: string) =>
    Object.assign(Readable.from([Buffer.from(body)]), {
      headers: { 'content-type': 'application/json' },
    }) as unknown as IncomingMessage;

  it('refuses them before JSON.parse, with a 400 that says why', async () => {
    const budget = bodyBudget({ card }, 1000);
    const parse = vi.spyOn(JSON, 'parse');
    try {
      for (const [name, body] of Object.entries(hostile)) {
        expect(Buffer.byteLength(body), name).toBeLessThanOrEqual(BODY_LIMIT);
        const error = await readJsonBody(request(body), BODY_LIMIT, budget).catch(
          (e: unknown) => e as { status: number; message: string },
        );
        expect(error, name).toMatchObject({ status: 400 });
        expect((error as { message: string }).message, name).toMatch(/objects and arrays/);
      }
      expect(parse).not.toHaveBeenCalled();
      // The largest valid batch still parses, and rows that are arrays still get their details.
      const good = JSON.stringify({ instances: Array(1000).fill(SAMPLE_ROW) });
      await expect(readJsonBody(request(good), BODY_LIMIT, budget)).resolves.toBeTruthy();
      await expect(
        readJsonBody(
          request(`{"instances":[${Array(1000).fill('[1]').join(',')}]}`),
          BODY_LIMIT,
          budget,
        ),
      ).resolves.toBeTruthy();
    } finally {
      parse.mockRestore();
    }
  });

  it('answers each with a bounded 400 on both routes', async () => {
    for (const [name, body] of Object.entries(hostile)) {
      for (const path of ['/v1/predict', '/v1/predict/batch']) {
        const res = await postRaw(path, body);
        expectBoundedRejection(res);
        expect(res.json.error, `${name} on ${path}`).toMatch(/objects and arrays/);
      }
    }
    const arrays = await postRaw('/v1/predict/batch', '{"instances":[[1,2],"s",null]}');
    expect(arrays.json.details).toEqual([
      { path: '/instances/0', message: 'must be object' },
      { path: '/instances/1', message: 'must be object' },
      { path: '/instances/2', message: 'must be object' },
    ]);
  });
});

describe('a body refused before its end (issue 11, items 1 and 8)', () => {
  /**
   * Sends `first` and, once its answer is in, a good request on the same connection;
   * resolves to the status lines received before the connection closed (or 15 s passed).
   */
  function twoOnOneConnection(first: Buffer): Promise<string[]> {
    const row = JSON.stringify(SAMPLE_ROW);
    const second = `POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${row.length}\r\n\r\n${row}`;
    const { port } = new URL(service.url);
    return new Promise((done) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(first));
      let received = '';
      let sentSecond = false;
      const statuses = () => [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]!);
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
        if (!sentSecond && statuses().length === 1) {
          sentSecond = true;
          socket.write(second);
        }
        if (statuses().length === 2) socket.destroy();
      });
      socket.on('error', () => {});
      socket.on('close', () => done(statuses()));
      setTimeout(() => socket.destroy(), 15_000).unref();
    });
  }

  const head = (length: number, extra: string) =>
    `POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${extra}Content-Length: ${length}\r\n\r\n`;

  it('leaves the connection usable: the rest of the body is discarded, not left unread', async () => {
    // 200 MB of blanks: a ~190 KB gzip and a 316-byte br body, each far past the limit decoded.
    const blanks = Buffer.alloc(200_000_000, 32);
    for (const [encoding, body] of [
      ['gzip', gzipSync(blanks)],
      ['deflate', deflateSync(blanks)],
      ['br', brotliCompressSync(blanks)],
    ] as const) {
      const first = Buffer.concat([
        Buffer.from(head(body.length, `Content-Encoding: ${encoding}\r\n`)),
        body,
      ]);
      expect(await twoOnOneConnection(first), encoding).toEqual(['413', '200']);
    }
    // A chunked body without a length, past the limit as it arrives.
    const chunk = Buffer.alloc(BODY_LIMIT + 1, 32);
    const chunked = Buffer.concat([
      Buffer.from(
        'POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      ),
      Buffer.from(`${chunk.length.toString(16)}\r\n`),
      chunk,
      Buffer.from('\r\n0\r\n\r\n'),
    ]);
    expect(await twoOnOneConnection(chunked), 'chunked').toEqual(['413', '200']);
  }, 60_000);
});

describe('error answers are capped on every route (issue 11, item 2)', () => {
  it('lists at most 100 details for 110,000 unknown keys on /v1/predict, and says there are more', async () => {
    const { json, count } = unknownKeys(BODY_LIMIT - 2_000);
    expect(count).toBeGreaterThan(110_000);
    expectBoundedRejection(await postRaw('/v1/predict', rowWith(json)));
    // Under the key budget (9,001), so the keys are parsed and checked one by one.
    const { json: fewer, count: checked } = unknownKeys(66_000);
    expect(checked).toBeGreaterThan(8_000);
    const res = await postRaw('/v1/predict', rowWith(fewer));
    expectBoundedRejection(res);
    expect(res.json.details).toHaveLength(MAX_DETAILS);
    expect(res.json.error).toMatch(/first 100 problems/);
  });

  it('caps the length of every path: a key as long as the body does not come back whole', async () => {
    const long = 'x'.repeat(BODY_LIMIT - 2_000);
    const one = await postRaw('/v1/predict', rowWith(`"${long}":1`));
    expectBoundedRejection(one);
    // 100 keys of 10 KB each: the cap on the count alone would still answer 1 MB.
    const keys = Array.from({ length: 100 }, (_, i) => `"${String(i).padStart(10_000, 'k')}":1`);
    const many = await postRaw('/v1/predict', rowWith(keys.join(',')));
    expectBoundedRejection(many);
    expect(many.json.details).toHaveLength(100);
    const batch = await postRaw('/v1/predict/batch', `{"instances":[${rowWith(keys.join(','))}]}`);
    expectBoundedRejection(batch);
  });

  it('examines at most 101 unknown keys of a row, and hands ajv only the known ones', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false }).compile(card.input_contract);
    // What ajv is given: with allErrors it would walk every key it sees.
    const keysGiven: number[] = [];
    const validateRow = new Proxy(ajv, {
      apply(target, self, args: [Record<string, unknown>]) {
        keysGiven.push(Object.keys(args[0]).length);
        return Reflect.apply(target, self, args);
      },
    });
    const features = Object.keys(card.input_contract.properties).length;

    const target: Record<string, unknown> = { ...SAMPLE_ROW };
    for (let i = 0; i < 110_000; i++) target[shortKey(i)] = 0;
    let examined = 0;
    // for...in asks a proxy for a key's descriptor as it reaches the key: one call per key looked at.
    const row = new Proxy(target, {
      getOwnPropertyDescriptor(t, key) {
        examined++;
        return Reflect.getOwnPropertyDescriptor(t, key);
      },
    });
    const full = new ProblemList();
    checkRow({ card, validateRow }, row, '', full);
    expect(full.toError('bad').details).toHaveLength(MAX_DETAILS);
    expect(examined).toBeLessThanOrEqual(features + MAX_DETAILS + 1);
    expect(keysGiven).toEqual([]);

    const some: Record<string, unknown> = { ...SAMPLE_ROW, latitude: 99 };
    for (let i = 0; i < 50; i++) some[shortKey(i)] = 0;
    const problems = new ProblemList();
    checkRow({ card, validateRow }, some, '/instances/7', problems);
    const details = problems.toError('bad').details!;
    expect(details).toHaveLength(51);
    expect(details).toContainEqual({ path: '/instances/7/latitude', message: 'must be <= 42' });
    expect(keysGiven).toEqual([features]);
  });

  it('names an unknown key by its JSON pointer, escaping "/" and "~"', async () => {
    const res = await postRaw('/v1/predict', JSON.stringify({ ...SAMPLE_ROW, 'a/b~c': 1 }));
    expect(res.status).toBe(400);
    expect(res.json.details).toEqual([{ path: '/a~1b~0c', message: 'is not a known feature' }]);
  });

  it('still lists the other problems of a row that also has unknown keys', async () => {
    const res = await postRaw(
      '/v1/predict/batch',
      JSON.stringify({ instances: [{ ...SAMPLE_ROW, latitude: 99, pool: true }] }),
    );
    expect(res.status).toBe(400);
    expect(res.json.details).toEqual(
      expect.arrayContaining([
        { path: '/instances/0/pool', message: 'is not a known feature' },
        { path: '/instances/0/latitude', message: 'must be <= 42' },
      ]),
    );
    expect(res.json.details).toHaveLength(2);
  });
});

describe('methods other than POST on the prediction routes (issue 11, item 8)', () => {
  // Express matches the service's other routes without regard to case or a trailing slash;
  // the prediction routes, on plain node:http, must match the same paths.
  for (const path of [
    '/v1/predict',
    '/v1/predict/batch',
    '/v1/predict?x=1',
    '/v1/predict/',
    '/v1/predict/batch/?x=1',
    '/V1/Predict/Batch',
  ]) {
    it(`answers 405 with Allow: POST on ${path}`, async () => {
      for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
        const res = await fetch(`${service.url}${path}`, { method });
        expect(res.status, method).toBe(405);
        expect(res.headers.get('allow'), method).toBe('POST');
        const body = (await res.json()) as { error: string; request_id: string };
        expect(body.error).toMatch(new RegExp(`^${method} is not allowed`));
        expect(body.request_id).toBe(res.headers.get('x-request-id'));
      }
      const head = await fetch(`${service.url}${path}`, { method: 'HEAD' });
      expect(head.status).toBe(405);
      expect(head.headers.get('allow')).toBe('POST');
      expect((await head.arrayBuffer()).byteLength).toBe(0);
    });
  }

  it('serves POST on the same paths', async () => {
    const batch = { instances: [SAMPLE_ROW] };
    for (const [path, body] of [
      ['/v1/predict/', SAMPLE_ROW],
      ['/V1/PREDICT', SAMPLE_ROW],
      ['/v1/predict/batch/?x=1', batch],
    ] as const) {
      const res = await post(`${service.url}${path}`, body);
      expect(res.status, path).toBe(200);
    }
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    // Labelled by the route's template, never the raw path.
    expect(metrics).not.toMatch(/route="\/V1/);
    expect(metrics).not.toMatch(/route="\/v1\/predict\/"/);
  });
});

describe('a UTF-8 byte order mark before the JSON (issue 11, item 8)', () => {
  const BOM = '\uFEFF';
  const batch = JSON.stringify({ instances: [SAMPLE_ROW] });

  it('is skipped, as express.json() skips it, plain or compressed', async () => {
    expect((await post(`${service.url}/v1/predict`, BOM + JSON.stringify(SAMPLE_ROW))).status).toBe(
      200,
    );
    const plain = await post(`${service.url}/v1/predict/batch`, BOM + batch);
    expect(plain.status).toBe(200);
    for (const [encoding, encode] of [
      ['gzip', gzipSync],
      ['deflate', deflateSync],
      ['br', brotliCompressSync],
    ] as const) {
      const res = await postRaw('/v1/predict/batch', encode(Buffer.from(BOM + batch)), {
        'content-encoding': encoding,
      });
      expect(res.status, encoding).toBe(200);
    }
  });

  it('is skipped once only: a second one, or a BOM alone, is still bad JSON', async () => {
    expect((await post(`${service.url}/v1/predict/batch`, BOM + BOM + batch)).status).toBe(400);
    expect(await post(`${service.url}/v1/predict`, BOM)).toMatchObject({
      status: 400,
      body: { error: 'malformed JSON: the body is empty' },
    });
  });
});

interface OpenApi {
  paths: Record<
    string,
    { post: { requestBody: { content: Record<string, { example?: unknown }> } } }
  >;
  components: {
    schemas: {
      Row: {
        required: string[];
        examples?: Record<string, unknown>[];
        properties: Record<string, { description?: string }>;
      };
    };
  };
}

describe('the OpenAPI document (issue 11, item 8)', () => {
  it("shows a real row: the reference profile's medians, valid under the contract and predictable", async () => {
    const doc = (await (await fetch(`${service.url}/openapi.json`)).json()) as OpenApi;
    const example = doc.components.schemas.Row.examples?.[0];
    expect(example).toBeDefined();
    for (const { name } of card.onnx.inputs) {
      const profile = card.reference_profile.columns[name]!;
      if (profile.kind === 'numeric') expect(example![name], name).toBe(profile.quantiles['0.5']);
      else expect(profile.categories, name).toContain(example![name]);
    }
    const validate = new Ajv2020({ strict: false }).compile(card.input_contract);
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.paths['/v1/predict']!.post.requestBody.content['application/json']!.example).toEqual(
      example,
    );
    expect(
      doc.paths['/v1/predict/batch']!.post.requestBody.content['application/json']!.example,
    ).toEqual({ instances: [example] });
    const res = await post(`${service.url}/v1/predict`, example);
    expect(res.status).toBe(200);
    expect(Number.isFinite(res.body.prediction)).toBe(true);
  });
});

describe('an absent total_bedrooms means null (issue 11, item 8)', () => {
  const { total_bedrooms: _b, ...absent } = SAMPLE_ROW;
  const asNull = { ...SAMPLE_ROW, total_bedrooms: null };

  it('is accepted on the single route and predicts what null predicts', async () => {
    const withNull = await post(`${service.url}/v1/predict`, asNull);
    const without = await post(`${service.url}/v1/predict`, absent);
    expect(withNull.status).toBe(200);
    expect(without.status).toBe(200);
    expect(without.body.prediction).toBe(withNull.body.prediction);
  });

  it('is accepted in batches, on the event loop and on the inference worker (256+ rows)', async () => {
    for (const size of [3, 300]) {
      const rows = Array.from({ length: size }, (_, i) => (i % 2 ? absent : asNull));
      const res = await post(`${service.url}/v1/predict/batch`, { instances: rows });
      expect(res.status, String(size)).toBe(200);
      const [first, ...rest] = res.body.predictions!;
      for (const p of rest) expect(p).toBe(first);
    }
  });

  it('counts as null in the drift monitor', () => {
    const observe = (row: Record<string, unknown>) => {
      const monitor = new DriftMonitor(card, createMetrics(), 4);
      monitor.observe([row, row]);
      return monitor.compute();
    };
    expect(observe(absent)).toEqual(observe(asNull));
  });

  it('is described as it is accepted, and not required, in the contract the service publishes', async () => {
    const doc = (await (await fetch(`${service.url}/openapi.json`)).json()) as OpenApi;
    const row = doc.components.schemas.Row;
    expect(row.required).not.toContain('total_bedrooms');
    expect(row.required).toContain('households');
    expect(row.properties.total_bedrooms!.description).not.toMatch(/empty/);
    expect(row.properties.total_bedrooms!.description).toMatch(/null/);
    expect(card.input_contract.required).not.toContain('total_bedrooms');
  });
});
