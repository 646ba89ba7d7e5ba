/**
 * `npm run bench:service`: the service under autocannon, beside a bare
 * node:http server that parses the same JSON and answers a constant, in one
 * run. Also: 1,000-row batches against onnxruntime in process, and the cost
 * of metrics plus drift (the same service with INSTRUMENTATION=off).
 *
 * The service runs as the container image runs it: the esbuild bundle, built
 * first. Every server is a child process on 127.0.0.1, stopped by its PID.
 * This machine's speed drifts by ±20% within a minute, so each comparison
 * runs BENCH_ROUNDS times, alternating its sides, and reports the medians.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import * as ort from 'onnxruntime-node';
import { SAMPLE_ROW } from '../test/fixture.ts';

const MODEL_DIR = process.env.MODEL_DIR ?? 'models/production';
const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
if (!existsSync(`${MODEL_DIR}/model.onnx`)) {
  console.error(
    `error: no model at ${MODEL_DIR}: run npm start -- --no-serve first (or set MODEL_DIR)`,
  );
  process.exit(2);
}

const ROW = SAMPLE_ROW;

const BARE_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  if (req.url === '/readyz') return res.end('ok');
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString());
    const out = JSON.stringify({ prediction: body ? 1 : 0, model_version: 'bare', request_id: 'x' });
    res.writeHead(200, { 'content-type': 'application/json' }).end(out);
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

interface Server {
  url: string;
  child: ChildProcess;
}

/** A free loopback port: the servers log at warn, so they cannot announce one. */
function freePort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });
}

async function launch(args: string[], env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      MODEL_DIR,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, child };
    if (attempt > 300) throw new Error(`${url} not ready after 30 s`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** What one load run measured: req/s, latency percentiles (ms), server CPU seconds per request. */
interface Figures {
  rps: number;
  p50: number;
  p99: number;
  cpu: number;
}

/**
 * CPU seconds (user + system, all threads) a server process has used, from
 * /proc: per request it is a steadier signal than req/s on a shared machine.
 */
function cpuSeconds(server: Server): number {
  const stat = readFileSync(`/proc/${server.child.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ)
}

/**
 * Drives a URL for DURATION seconds. Latency percentiles come from every
 * response's own time, in fractions of a millisecond: autocannon's summary
 * rounds to whole milliseconds, too coarse to compare p99s of 1 to 3 ms.
 */
function load(server: Server, path: string, body: string, connections: number) {
  const url = `${server.url}${path}`;
  const latencies: number[] = [];
  const cpuBefore = cpuSeconds(server);
  return new Promise<Figures>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections,
        duration: DURATION,
      },
      (error, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        if (result.non2xx > 0 || result.errors > 0)
          return reject(new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`));
        latencies.sort((x, y) => x - y);
        const at = (q: number) =>
          latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
        const cpu = (cpuSeconds(server) - cpuBefore) / result.requests.total;
        resolve({ rps: result.requests.average, p50: at(0.5), p99: at(0.99), cpu });
      },
    );
    instance.on('response', (_client, _status, _bytes, ms: number) => latencies.push(ms));
  });
}

const stopAll = (servers: Server[]) => {
  for (const s of servers)
    if (s.child.pid && s.child.exitCode === null) process.kill(s.child.pid, 'SIGTERM');
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** Runs each side ROUNDS times, alternating, and keeps the median of each figure. */
async function compare(sides: (() => Promise<Figures>)[]): Promise<Figures[]> {
  const runs: Figures[][] = sides.map(() => []);
  for (let round = 0; round < ROUNDS; round++)
    for (const [i, side] of sides.entries()) runs[i]!.push(await side());
  return runs.map((r) => ({
    rps: median(r.map((f) => f.rps)),
    p50: median(r.map((f) => f.p50)),
    p99: median(r.map((f) => f.p99)),
    cpu: median(r.map((f) => f.cpu)),
  }));
}

const build = spawnSync(process.execPath, ['service/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const bare = await launch(['-e', BARE_SERVER]);
const service = await launch(['service/dist/main.mjs']);
const plain = await launch(['service/dist/main.mjs'], { INSTRUMENTATION: 'off' });
const servers = [bare, service, plain];
process.once('exit', () => stopAll(servers));

try {
  const single = JSON.stringify(ROW);
  const lines: string[] = [];
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  const us = (seconds: number) => `${Math.round(seconds * 1e6)} µs`;
  for (const connections of [16, 64]) {
    const [b, s] = await compare([
      () => load(bare, '/', single, connections),
      () => load(service, '/v1/predict', single, connections),
    ]);
    lines.push(
      `  /v1/predict, ${connections} connections: service ${fmt(s!.rps)} req/s (p50 ${ms(s!.p50)}, p99 ${ms(s!.p99)}, ${us(s!.cpu)} CPU/req) | bare ${fmt(b!.rps)} req/s (p50 ${ms(b!.p50)}, p99 ${ms(b!.p99)}, ${us(b!.cpu)} CPU/req) | req/s ratio ${(s!.rps / b!.rps).toFixed(2)}, p99 ratio ${(s!.p99 / b!.p99).toFixed(2)}`,
    );
  }
  const [on, off] = await compare([
    () => load(service, '/v1/predict', single, 16),
    () => load(plain, '/v1/predict', single, 16),
  ]);
  lines.push(
    `  metrics + drift, 16 connections: on ${fmt(on!.rps)} req/s, ${us(on!.cpu)} CPU/req | off ${fmt(off!.rps)} req/s, ${us(off!.cpu)} CPU/req | cost ${(((off!.rps - on!.rps) / off!.rps) * 100).toFixed(1)}% of throughput, ${(((on!.cpu - off!.cpu) / off!.cpu) * 100).toFixed(1)}% of CPU per request`,
  );

  const batch = JSON.stringify({
    instances: Array.from({ length: 1000 }, (_, i) => ({
      ...ROW,
      median_income: 1 + (i % 100) / 10,
    })),
  });
  const session = await ort.InferenceSession.create(await readFile(`${MODEL_DIR}/model.onnx`));
  const card = JSON.parse(await readFile(`${MODEL_DIR}/model.card.json`, 'utf8')) as {
    onnx: { inputs: { name: string; type: string }[] };
  };
  const feeds: Record<string, ort.Tensor> = {};
  for (const { name, type } of card.onnx.inputs) {
    const value = ROW[name];
    feeds[name] =
      type === 'float'
        ? new ort.Tensor(
            'float32',
            Float32Array.from({ length: 1000 }, () => value as number),
            [1000, 1],
          )
        : new ort.Tensor(
            'string',
            Array.from({ length: 1000 }, () => value as string),
            [1000, 1],
          );
  }
  await session.run(feeds);
  /** onnxruntime with its default options, in this process: batches of 1,000 per second. */
  const inProcess = async (): Promise<Figures> => {
    const started = performance.now();
    let runs = 0;
    while (performance.now() - started < DURATION * 1000) {
      await session.run(feeds);
      runs++;
    }
    return { rps: runs / ((performance.now() - started) / 1000), p50: 0, p99: 0, cpu: 0 };
  };
  const [viaHttp, direct] = await compare([
    () => load(service, '/v1/predict/batch', batch, 4),
    inProcess,
  ]);
  const httpRows = viaHttp!.rps * 1000;
  const inProcessRows = direct!.rps * 1000;
  lines.push(
    `  /v1/predict/batch, 1,000 rows, 4 connections: ${fmt(httpRows)} rows/s (${us(viaHttp!.cpu)} CPU/req) | onnxruntime in process ${fmt(inProcessRows)} rows/s | ratio ${(httpRows / inProcessRows).toFixed(2)}`,
  );
  console.log(
    `bench:service (median of ${ROUNDS} alternating runs of ${DURATION} s, node ${process.version}, model ${MODEL_DIR})`,
  );
  for (const line of lines) console.log(line);
} finally {
  stopAll(servers);
}
