/**
 * `npm run bench:service`: the service under autocannon, beside a bare
 * node:http server that parses the same JSON and answers a constant, in one
 * run. Also: 1,000-row batches against onnxruntime in process, and the cost
 * of metrics plus drift (the same service with INSTRUMENTATION=off).
 * Every server is a child process on 127.0.0.1; each is stopped by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import * as ort from 'onnxruntime-node';
import { SAMPLE_ROW } from '../test/fixture.ts';

const MODEL_DIR = process.env.MODEL_DIR ?? 'models/production';
const DURATION = Number(process.env.BENCH_SECONDS ?? 6);
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

async function load(url: string, body: string, connections: number) {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration: DURATION,
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

const stopAll = (servers: Server[]) => {
  for (const s of servers)
    if (s.child.pid && s.child.exitCode === null) process.kill(s.child.pid, 'SIGTERM');
};

const bare = await launch(['-e', BARE_SERVER]);
const service = await launch(['--import', 'tsx', 'service/src/main.ts']);
const plain = await launch(['--import', 'tsx', 'service/src/main.ts'], { INSTRUMENTATION: 'off' });
const servers = [bare, service, plain];
process.once('exit', () => stopAll(servers));

try {
  const single = JSON.stringify(ROW);
  const lines: string[] = [];
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  for (const connections of [16, 64]) {
    const b = await load(bare.url, single, connections);
    const s = await load(`${service.url}/v1/predict`, single, connections);
    lines.push(
      `  /v1/predict, ${connections} connections: service ${fmt(s.rps)} req/s (p50 ${s.p50} ms, p99 ${s.p99} ms) | bare ${fmt(b.rps)} req/s (p50 ${b.p50} ms, p99 ${b.p99} ms) | req/s ratio ${(s.rps / b.rps).toFixed(2)}, p99 ratio ${(s.p99 / Math.max(b.p99, 1)).toFixed(2)}`,
    );
  }
  const on = await load(`${service.url}/v1/predict`, single, 16);
  const off = await load(`${plain.url}/v1/predict`, single, 16);
  lines.push(
    `  metrics + drift, 16 connections: on ${fmt(on.rps)} req/s | off ${fmt(off.rps)} req/s | cost ${(((off.rps - on.rps) / off.rps) * 100).toFixed(1)}% of throughput`,
  );

  const batch = JSON.stringify({
    instances: Array.from({ length: 1000 }, (_, i) => ({
      ...ROW,
      median_income: 1 + (i % 100) / 10,
    })),
  });
  const viaHttp = await load(`${service.url}/v1/predict/batch`, batch, 4);
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
  const started = performance.now();
  let runs = 0;
  while (performance.now() - started < DURATION * 1000) {
    await session.run(feeds);
    runs++;
  }
  const inProcess = (runs * 1000) / ((performance.now() - started) / 1000);
  const httpRows = viaHttp.rps * 1000;
  lines.push(
    `  /v1/predict/batch, 1,000 rows, 4 connections: ${fmt(httpRows)} rows/s | onnxruntime in process ${fmt(inProcess)} rows/s | ratio ${(httpRows / inProcess).toFixed(2)}`,
  );
  console.log(`bench:service (${DURATION} s per run, node ${process.version}, model ${MODEL_DIR})`);
  for (const line of lines) console.log(line);
} finally {
  stopAll(servers);
}
