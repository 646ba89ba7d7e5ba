/**
 * `npm run bench:service`: the service under autocannon, and under wrk when
 * Debian's `wrk` is installed, beside a bare node:http server that parses the
 * same JSON and answers a constant, in one run. Also: 1,000-row batches
 * against onnxruntime in process, and the cost of metrics plus drift (the
 * same service with INSTRUMENTATION=off, both loaded at the same time).
 * With BEFORE_MODEL_DIR set, a second service serves that model and joins
 * the single-row rounds, so two graphs are compared in the same rounds.
 * The prediction log: the service with PREDICTION_LOG=on, on the embedded
 * PGlite and (when PostgreSQL is installed) a real PostgreSQL, against the
 * same service with it off, alternated in the same rounds; the single-row
 * rounds against the bare ceiling also run the logged service (PostgreSQL
 * where installed), since issue 18's serving goal holds with the log in
 * place. Every other service here runs with the log off.
 * BENCH_ONLY=prediction-log runs that comparison alone.
 *
 * The service runs as the container image runs it: the esbuild bundle, built
 * first. Every server is a child process on 127.0.0.1, stopped by its PID.
 * This machine's speed drifts by ±20% within a minute, so each comparison
 * runs BENCH_ROUNDS rounds of both sides back to back and reports the median
 * of the per-round ratios.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { freePort } from '@housing/core/free-port';
import autocannon from 'autocannon';
import * as ort from 'onnxruntime-node';
import { pino } from 'pino';
import { readModelCard } from '@housing/model-card/read';
import type { ModelCard } from '@housing/model-card/schema';
import { graphSpec, toColumns } from '../src/model/onnx-session.ts';
import { DriftMonitor } from '../src/drift-monitor.ts';
import { instrumentRequest } from '../src/http/instrument.ts';
import { createMetrics, modelMetricValues, publishModel } from '../src/metrics.ts';
import { recordPrediction } from '../src/routes/predict.ts';
import { SAMPLE_ROW, housingRows } from '@housing/test-support/service';
import { postgresBinDir, startPostgres } from '@housing/test-support/postgres';
import { perCallMicros } from './per-call.ts';
import { wrk, wrkInstalled } from './wrk.ts';

const MODEL_DIR = process.env.MODEL_DIR ?? 'models/production';
const DURATION = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
/** A second model to serve beside MODEL_DIR's in the single-row rounds (the graph before a change). */
const BEFORE_MODEL_DIR = process.env.BEFORE_MODEL_DIR;
/** `prediction-log`: only the log on/off comparison. */
const ONLY = process.env.BENCH_ONLY;
for (const dir of [MODEL_DIR, BEFORE_MODEL_DIR ?? MODEL_DIR])
  if (!existsSync(`${dir}/model.onnx`)) {
    console.error(
      `error: no model at ${dir}: run npm start -- --no-serve first (or set MODEL_DIR, BEFORE_MODEL_DIR)`,
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
function load(server: Server, path: string, body: string, connections: number, seconds = DURATION) {
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
        duration: seconds,
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

/** As `load`, with wrk as the client (see wrk.ts). */
async function loadWrk(
  server: Server,
  path: string,
  body: string,
  connections: number,
  seconds = DURATION,
): Promise<Figures> {
  const cpuBefore = cpuSeconds(server);
  const result = await wrk(`${server.url}${path}`, body, connections, seconds);
  const cpu = (cpuSeconds(server) - cpuBefore) / result.requests;
  return { rps: result.rps, p50: result.p50, p99: result.p99, cpu };
}

const stopAll = (servers: Server[]) => {
  for (const s of servers)
    if (s.child.pid && s.child.exitCode === null) process.kill(s.child.pid, 'SIGTERM');
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** Two sides' median figures, and the medians of their per-round ratios (a / b). */
interface Pair {
  a: Figures;
  b: Figures;
  ratio: { rps: number; p99: number; cpu: number };
  /** The lowest and highest per-round req/s ratio: how much the machine drifted. */
  rpsRange: [number, number];
}

/**
 * Runs every side ROUNDS times, back to back, in forward order one round and
 * reverse order the next (A B C, C B A, ...), and returns each round's
 * figures by side. Ratios are taken within each round, where the sides met
 * the same machine: its speed drifts between rounds far more than within one.
 */
async function rounds(sides: (() => Promise<Figures>)[]): Promise<Figures[][]> {
  const runs: Figures[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = sides.map((_, i) => (round % 2 === 0 ? i : sides.length - 1 - i));
    const figures: Figures[] = [];
    for (const i of order) figures[i] = await sides[i]!();
    runs.push(figures);
  }
  return runs;
}

/** Side `a` against side `b` over the same rounds: their median figures and per-round ratios. */
function pairOf(runs: Figures[][], a: number, b: number): Pair {
  const medians = (side: Figures[]): Figures => ({
    rps: median(side.map((f) => f.rps)),
    p50: median(side.map((f) => f.p50)),
    p99: median(side.map((f) => f.p99)),
    cpu: median(side.map((f) => f.cpu)),
  });
  const pairs = runs.map((round): [Figures, Figures] => [round[a]!, round[b]!]);
  const ratio = (key: keyof Figures) => median(pairs.map(([x, y]) => x[key] / y[key]));
  return {
    a: medians(pairs.map(([x]) => x)),
    b: medians(pairs.map(([, y]) => y)),
    ratio: { rps: ratio('rps'), p99: ratio('p99'), cpu: ratio('cpu') },
    rpsRange: [
      Math.min(...pairs.map(([x, y]) => x.rps / y.rps)),
      Math.max(...pairs.map(([x, y]) => x.rps / y.rps)),
    ],
  };
}

/** Two sides, alternated over ROUNDS rounds: a against b. */
async function compare(a: () => Promise<Figures>, b: () => Promise<Figures>): Promise<Pair> {
  return pairOf(await rounds([a, b]), 0, 1);
}

/**
 * The instrumentation's own work for one single-row request, in µs, timed in
 * this process with it on and off: the request metrics (in-flight gauge,
 * latency histogram, log-level check) plus the prediction metrics and the
 * drift window. Precise where the HTTP comparison is not: its noise is
 * larger than this cost.
 */
function instrumentationMicros(card: ModelCard): { on: number; off: number } {
  const metrics = createMetrics();
  publishModel(metrics, modelMetricValues(card, new Date()));
  const drift = new DriftMonitor(card, metrics, 5000);
  // A socket that is still open, as when the answer is delivered: instrumentation
  // counts the status only of responses that finished while it could carry them.
  const socket = { writableEnded: false, destroyed: false, errored: null };
  const req = { method: 'POST', socket } as unknown as IncomingMessage;
  const rows = [ROW];
  const predictions = Float32Array.of(200_000);
  const time = (instrumentation: boolean) => {
    const deps = { metrics, logger: pino({ level: 'warn' }), config: { instrumentation } };
    const once = () => {
      const res = Object.assign(new EventEmitter(), {
        statusCode: 200,
      }) as unknown as ServerResponse;
      instrumentRequest(deps, req, res, 'id', () => '/v1/predict');
      if (instrumentation)
        recordPrediction(metrics, drift, card.model_version, rows, predictions, 0.0005);
      res.emit('finish');
      res.emit('close');
    };
    for (let i = 0; i < 50_000; i++) once();
    const started = performance.now();
    const n = 500_000;
    for (let i = 0; i < n; i++) once();
    return ((performance.now() - started) * 1000) / n;
  };
  const off = time(false);
  return { on: time(true), off };
}

const build = spawnSync(process.execPath, ['service/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
// The log is off wherever it is not what is measured: the figures before it were taken so.
const LOG_OFF = { PREDICTION_LOG: 'off' };
const logDir = await mkdtemp(join(tmpdir(), 'bench-prediction-log-'));
const postgres = postgresBinDir() ? await startPostgres() : undefined;
const bare = await launch(['-e', BARE_SERVER]);
const service = await launch(['service/dist/main.mjs'], LOG_OFF);
const plain = await launch(['service/dist/main.mjs'], { ...LOG_OFF, INSTRUMENTATION: 'off' });
const before = BEFORE_MODEL_DIR
  ? await launch(['service/dist/main.mjs'], { ...LOG_OFF, MODEL_DIR: BEFORE_MODEL_DIR })
  : undefined;
const loggedPglite = await launch(['service/dist/main.mjs'], {
  PREDICTION_LOG: 'on',
  PREDICTION_LOG_DIR: logDir,
});
const loggedPostgres = postgres
  ? await launch(['service/dist/main.mjs'], { PREDICTION_LOG: 'on', DATABASE_URL: postgres.url })
  : undefined;
/** The logged service the single-row rounds meet the ceiling with: PostgreSQL, as compose runs it, where installed. */
const logged = loggedPostgres
  ? { name: 'PostgreSQL', server: loggedPostgres }
  : { name: 'PGlite', server: loggedPglite };
const servers = [
  bare,
  service,
  plain,
  loggedPglite,
  ...(before ? [before] : []),
  ...(loggedPostgres ? [loggedPostgres] : []),
];
process.once('exit', () => stopAll(servers));

/**
 * The prediction log's cost: the service with it on (PGlite; PostgreSQL when
 * installed) against the same service with it off, each side in turn within
 * every round, single rows at 16 connections and 1,000-row batches at 4.
 * Also how many rows each logged and dropped, read from its /metrics.
 */
async function predictionLogLines(single: string, batch: string): Promise<string[]> {
  const lines: string[] = [];
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const logged = [
    { name: 'PGlite', server: loggedPglite },
    ...(loggedPostgres ? [{ name: 'PostgreSQL', server: loggedPostgres }] : []),
  ];
  for (const [path, body, connections, unit] of [
    ['/v1/predict', single, 16, 1],
    ['/v1/predict/batch', batch, 4, 1000],
  ] as const) {
    const runs = await rounds([
      () => load(service, path, body, connections),
      ...logged.map(
        ({ server }) =>
          () =>
            load(server, path, body, connections),
      ),
    ]);
    const off = pairOf(runs, 0, 0).a;
    const sides = logged.map(({ name }, i) => {
      const { a: on, ratio, rpsRange } = pairOf(runs, i + 1, 0);
      return `on (${name}) ${fmt(on.rps * unit)} rows/s, p99 ${on.p99.toFixed(2)} ms: ratio on/off ${ratio.rps.toFixed(2)} (rounds ${rpsRange[0].toFixed(2)}–${rpsRange[1].toFixed(2)}), CPU/req ratio ${ratio.cpu.toFixed(2)}`;
    });
    lines.push(
      `  prediction log, ${path}, ${connections} connections: off ${fmt(off.rps * unit)} rows/s, p99 ${off.p99.toFixed(2)} ms | ${sides.join(' | ')}`,
    );
  }
  for (const { name, server } of logged) {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const value = (series: string) =>
      text
        .split('\n')
        .find((line) => line.startsWith(`${series} `))
        ?.split(' ')[1] ?? '0';
    lines.push(
      `  prediction log (${name}): written ${value('prediction_log_written_total')}, dropped queue_full ${value('prediction_log_dropped_total{reason="queue_full"}')}, write_failed ${value('prediction_log_dropped_total{reason="write_failed"}')}`,
    );
  }
  return lines;
}

/** 1,000 real rows spread over the dataset (it is sorted by region). */
async function thousandRows(): Promise<Record<string, number | string | null>[]> {
  const { rows: housing } = await housingRows();
  return Array.from({ length: 1000 }, (_, i) => {
    const { median_house_value: _target, ...row } = housing[i * 20]!;
    return row;
  });
}

try {
  const single = JSON.stringify(ROW);
  const card = await readModelCard(`${MODEL_DIR}/model.card.json`);
  // Warm every server up first: the first seconds of a process run cold, unoptimized code.
  for (const server of servers)
    await load(server, server === bare ? '/' : '/v1/predict', single, 16, ONLY ? 3 : 10);
  const instances = await thousandRows();
  const batch = JSON.stringify({ instances });
  const logLines = await predictionLogLines(single, batch);
  if (ONLY === 'prediction-log') {
    console.log(
      `bench:service, prediction log only (medians of ${ROUNDS} rounds of ${DURATION} s per side; node ${process.version}; load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')} at the end)`,
    );
    for (const line of logLines) console.log(line);
  } else {
    const lines: string[] = [...logLines];
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    const ms = (n: number) => `${n.toFixed(2)} ms`;
    const us = (seconds: number) => `${Math.round(seconds * 1e6)} µs`;
    const range = ([low, high]: [number, number]) =>
      `(rounds ${low.toFixed(2)}–${high.toFixed(2)})`;
    let serviceCpuAt16 = NaN;
    const clients = [
      { tool: 'autocannon', drive: load },
      ...(wrkInstalled() ? [{ tool: 'wrk', drive: loadWrk }] : []),
    ];
    if (clients.length === 1)
      lines.push(
        '  (wrk is not installed, so only autocannon drives the service: apt-get install wrk)',
      );
    for (const { tool, drive } of clients) {
      for (const connections of [16, 64]) {
        // The service, the bare ceiling, the service with its prediction log on (issue 18's
        // goal 6 holds with the log in place), and the model before a change, if any.
        const runs = await rounds([
          () => drive(service, '/v1/predict', single, connections),
          () => drive(bare, '/', single, connections),
          () => drive(logged.server, '/v1/predict', single, connections),
          ...(before ? [() => drive(before, '/v1/predict', single, connections)] : []),
        ]);
        const { a: svc, b: base, ratio, rpsRange } = pairOf(runs, 0, 1);
        if (connections === 16 && tool === 'autocannon') serviceCpuAt16 = svc.cpu;
        lines.push(
          `  ${tool}, /v1/predict, ${connections} connections: service ${fmt(svc.rps)} req/s (p50 ${ms(svc.p50)}, p99 ${ms(svc.p99)}, ${us(svc.cpu)} CPU/req) | bare ${fmt(base.rps)} req/s (p50 ${ms(base.p50)}, p99 ${ms(base.p99)}, ${us(base.cpu)} CPU/req) | req/s ratio ${ratio.rps.toFixed(2)} ${range(rpsRange)}, p99 ratio ${ratio.p99.toFixed(2)}`,
        );
        const withLog = pairOf(runs, 2, 1);
        lines.push(
          `  ${tool}, /v1/predict, ${connections} connections, prediction log on (${logged.name}): ${fmt(withLog.a.rps)} req/s (p99 ${ms(withLog.a.p99)}, ${us(withLog.a.cpu)} CPU/req) | req/s ratio to bare ${withLog.ratio.rps.toFixed(2)} ${range(withLog.rpsRange)}, CPU/req ratio to bare ${withLog.ratio.cpu.toFixed(2)}`,
        );
        if (!before) continue;
        const old = pairOf(runs, 3, 1);
        const change = pairOf(runs, 0, 3);
        lines.push(
          `  ${tool}, /v1/predict, ${connections} connections, model ${BEFORE_MODEL_DIR}: ${fmt(old.a.rps)} req/s (${us(old.a.cpu)} CPU/req) | req/s ratio to bare ${old.ratio.rps.toFixed(2)} ${range(old.rpsRange)} | ${MODEL_DIR} over it: req/s ${change.ratio.rps.toFixed(2)} ${range(change.rpsRange)}, CPU/req ${change.ratio.cpu.toFixed(2)}`,
        );
      }
    }
    // Metrics and drift cost less than this machine drifts between two runs, so the two
    // services are loaded at the same time (8 connections each): whatever the machine does,
    // it does to both.
    const together: [Figures, Figures][] = [];
    for (let round = 0; round < ROUNDS; round++)
      together.push(
        await Promise.all([
          load(service, '/v1/predict', single, 8),
          load(plain, '/v1/predict', single, 8),
        ]),
      );
    // The cost is CPU per request: a CPU-bound server's throughput is its cores over it.
    // How the two split the machine's req/s is the scheduler's doing, and is printed apart.
    const cpuCosts = together.map(([on, off]) => on.cpu / off.cpu - 1);
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    lines.push(
      `  metrics + drift, on and off served at once, 8 connections each: cost ${pct(median(cpuCosts))} of CPU per request (rounds ${pct(Math.min(...cpuCosts))} to ${pct(Math.max(...cpuCosts))}) | req/s on ${fmt(median(together.map(([on]) => on.rps)))}, off ${fmt(median(together.map(([, off]) => off.rps)))}`,
    );

    // The graph's own cost per call, on the service's scoring path: 1 row (an idle service)
    // and 16 (what a coalesced call carries at 16 connections).
    for (const rows of [1, 16]) {
      // The model before the change goes first: each ratio is the new graph's over it.
      const results = await perCallMicros(
        [...(BEFORE_MODEL_DIR ? [BEFORE_MODEL_DIR] : []), MODEL_DIR],
        ROW,
        rows,
        ROUNDS,
      );
      const now = results[results.length - 1]!;
      const then = results.length > 1 ? results[0] : undefined;
      lines.push(
        `  onnxruntime per call, ${rows} row${rows === 1 ? '' : 's'}, in process on the service's scoring path: ${now.micros.toFixed(1)} µs CPU${then ? ` | model ${then.dir}: ${then.micros.toFixed(1)} µs | ratio ${now.ratio.toFixed(2)} (per round)` : ''}`,
      );
    }

    const micros = instrumentationMicros(card);
    const added = micros.on - micros.off;
    lines.push(
      `  metrics + drift, in process: ${added.toFixed(2)} µs per single-row request (${micros.on.toFixed(2)} on, ${micros.off.toFixed(2)} off) = ${pct(added / (serviceCpuAt16 * 1e6))} of the service's ${us(serviceCpuAt16)} CPU per request at 16 connections`,
    );

    // The same 1,000 rows sent over HTTP and run in process alike: the trees' cost depends on the rows.
    const spec = graphSpec(card);
    // onnxruntime with its default options (a thread per core), not the service's.
    const session = await ort.InferenceSession.create(await readFile(`${MODEL_DIR}/model.onnx`));
    const columns = toColumns(instances, spec);
    const feeds: Record<string, ort.Tensor> = {};
    spec.numericInputs.forEach((name, i) => {
      feeds[name] = new ort.Tensor('float32', columns.numeric[i]!, [1000, 1]);
    });
    spec.stringInputs.forEach((name, i) => {
      feeds[name] = new ort.Tensor('string', columns.strings[i]!, [1000, 1]);
    });
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
    const {
      a: viaHttp,
      b: direct,
      ratio: batchRatio,
      rpsRange: batchRange,
    } = await compare(() => load(service, '/v1/predict/batch', batch, 4), inProcess);
    lines.push(
      `  /v1/predict/batch, 1,000 rows, 4 connections: ${fmt(viaHttp.rps * 1000)} rows/s (${us(viaHttp.cpu)} CPU/req) | onnxruntime in process ${fmt(direct.rps * 1000)} rows/s | ratio ${batchRatio.rps.toFixed(2)} ${range(batchRange)}`,
    );
    console.log(
      `bench:service (medians of ${ROUNDS} rounds of ${DURATION} s per side; ratios within each round; node ${process.version}, model ${MODEL_DIR}; load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')} at the end)`,
    );
    for (const line of lines) console.log(line);
  }
} finally {
  stopAll(servers);
  await postgres?.stop();
  await rm(logDir, { recursive: true, force: true });
}
