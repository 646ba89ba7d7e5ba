import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { get, type ServerResponse } from 'node:http';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import swaggerUi from 'swagger-ui-dist';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { start, type RunningService } from '../src/server.ts';
import { removeDir, ROOT, SAMPLE_ROW, trainModel } from '@housing/test-support/service';

/** No model: these tests are about connections, and /healthz answers without one. */
const NO_MODEL = '/nonexistent/model-dir';

const running: RunningService[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.close()));
});

/** Starts the service in this process, with its JSON log lines collected. */
async function startHere(env: Record<string, string> = {}) {
  const lines: { msg?: string; route?: string; status?: number }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n'))
        if (line) lines.push(JSON.parse(line) as (typeof lines)[number]);
      done();
    },
  });
  const config = parseConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    MODEL_DIR: NO_MODEL,
    SHUTDOWN_DRAIN_MS: '0',
    PREDICTION_LOG: 'off',
    ...env,
  });
  const service = await start(config, pino({ level: 'info' }, sink));
  running.push(service);
  return { service, lines };
}

/** A raw TCP client that records what it received and when the server closed it. */
interface RawClient {
  socket: Socket;
  received: () => string;
  closed: Promise<void>;
  isClosed: () => boolean;
}

async function rawClient(service: RunningService): Promise<RawClient> {
  // Resolve once the server has taken the connection, so their order is known.
  const accepted = new Promise<void>((done) => service.server.once('connection', () => done()));
  const socket = connect(service.port, '127.0.0.1');
  let received = '';
  let isClosed = false;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('error', () => {});
  const closed = new Promise<void>((done) =>
    socket.once('close', () => {
      isClosed = true;
      done();
    }),
  );
  await accepted;
  return { socket, received: () => received, closed, isClosed: () => isClosed };
}

/** Sends the headers of a POST and part of its body, and waits until the server has the request. */
async function startSlowPost(service: RunningService, path = '/v1/predict'): Promise<RawClient> {
  const client = await rawClient(service);
  const request = new Promise<void>((done) => service.server.once('request', () => done()));
  client.socket.write(
    `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a"`,
  );
  await request;
  return client;
}

/** GET on a new connection (no agent, no reuse); resolves to the status, or the error code. */
function getFresh(service: RunningService, path: string): Promise<number | string> {
  return new Promise((done) => {
    get({ host: '127.0.0.1', port: service.port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
    }).on('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

/** Polls `check` until it is true, at most `tries` times, 10 ms apart. */
async function until(check: () => boolean, tries = 300): Promise<void> {
  for (let i = 0; i < tries && !check(); i++) await new Promise((done) => setTimeout(done, 10));
}

/** status_code -> count of http_request_duration_seconds for one route. */
async function countsByStatus(service: RunningService, route: string) {
  const text = await service.metrics.registry.metrics();
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^http_request_duration_seconds_count\{([^}]*)\} (\d+)$/gm)) {
    if (!m[1]!.includes(`route="${route}"`)) continue;
    const status = /status_code="(\d+)"/.exec(m[1]!)?.[1] ?? '?';
    counts[status] = (counts[status] ?? 0) + Number(m[2]);
  }
  return counts;
}

describe('timeouts and connection limit', () => {
  it('applies the configured timeouts to the server', async () => {
    const { service } = await startHere({
      HEADERS_TIMEOUT_MS: '700',
      REQUEST_TIMEOUT_MS: '1500',
      KEEP_ALIVE_TIMEOUT_MS: '900',
      CONNECTIONS_CHECK_INTERVAL_MS: '50',
    });
    const { server } = service;
    expect({
      headersTimeout: server.headersTimeout,
      requestTimeout: server.requestTimeout,
      keepAliveTimeout: server.keepAliveTimeout,
      connectionsCheckingInterval: (server as unknown as { connectionsCheckingInterval: number })
        .connectionsCheckingInterval,
    }).toEqual({
      headersTimeout: 700,
      requestTimeout: 1500,
      keepAliveTimeout: 900,
      connectionsCheckingInterval: 50,
    });
  });

  it('by default cuts a client that never finishes its headers within 40 s, and holds connections the process can open', () => {
    const config = parseConfig({}) as unknown as Record<string, number>;
    // Node checks the timeouts every connectionsCheckingInterval: the worst case is their sum.
    expect(config.headersTimeoutMs! + config.connectionsCheckIntervalMs!).toBeLessThanOrEqual(
      40_000,
    );
    expect(config.requestTimeoutMs).toBeGreaterThanOrEqual(config.headersTimeoutMs!);
    const limit = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    expect(config.maxConnections).toBeGreaterThan(0);
    if (limit !== undefined) expect(config.maxConnections).toBeLessThan(Number(limit));
  });

  it('rejects timeouts that contradict each other and a limit above the open-file limit', () => {
    expect(() => parseConfig({ HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '1000' })).toThrow(
      /REQUEST_TIMEOUT_MS="1000": .*HEADERS_TIMEOUT_MS/,
    );
    const limit = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    expect(limit).toBeDefined();
    expect(() => parseConfig({ MAX_CONNECTIONS: limit! })).toThrow(
      new RegExp(`MAX_CONNECTIONS="${limit}": .*open files`),
    );
    expect(() => parseConfig({ CONNECTIONS_CHECK_INTERVAL_MS: '0' })).toThrow(
      /CONNECTIONS_CHECK_INTERVAL_MS="0"/,
    );
  });

  it('keeps serving when idle connections fill the limit: the least recently active idle one goes', async () => {
    const max = 10;
    const { service } = await startHere({
      MAX_CONNECTIONS: String(max),
      HEADERS_TIMEOUT_MS: '60000',
      REQUEST_TIMEOUT_MS: '60000',
    });
    const idle: RawClient[] = [];
    for (let i = 0; i < 3 * max; i++) idle.push(await rawClient(service));
    // The limit holds: all but the newest max idle connections were closed, oldest first.
    await until(() => idle.filter((c) => c.isClosed()).length >= 2 * max);
    expect(idle.map((c) => c.isClosed())).toEqual(idle.map((_, i) => i < 2 * max));
    expect(idle.every((c) => c.received() === '')).toBe(true);
    // A real client still gets its answer, in place of the oldest idle connection.
    expect(await getFresh(service, '/healthz')).toBe(200);
    await until(() => idle[2 * max]!.isClosed());
    expect(idle.map((c) => c.isClosed())).toEqual(idle.map((_, i) => i <= 2 * max));
    const open = await new Promise<number>((done, fail) =>
      service.server.getConnections((error, count) => (error ? fail(error) : done(count))),
    );
    expect(open).toBeLessThanOrEqual(max);
    for (const c of idle) c.socket.destroy();
  });

  it('refuses a new connection while every connection has a request in flight', async () => {
    const max = 4;
    const { service } = await startHere({
      MAX_CONNECTIONS: String(max),
      HEADERS_TIMEOUT_MS: '60000',
      REQUEST_TIMEOUT_MS: '60000',
    });
    const busy: RawClient[] = [];
    for (let i = 0; i < max; i++) busy.push(await startSlowPost(service));
    const refused = await rawClient(service);
    refused.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await refused.closed;
    expect(refused.received()).toBe('');
    expect(busy.some((c) => c.isClosed())).toBe(false);
    // One request completes; its connection turns idle and makes room for the next client.
    busy[0]!.socket.write(' '.repeat(96));
    await until(() => busy[0]!.received().includes('\r\n\r\n'));
    expect(busy[0]!.received()).toMatch(/^HTTP\/1\.1 [45]\d\d /);
    expect(await getFresh(service, '/healthz')).toBe(200);
    for (const c of busy) c.socket.destroy();
  });

  it('answers a client that sends its headers too slowly with 408 and closes it', async () => {
    const { service } = await startHere({
      HEADERS_TIMEOUT_MS: '300',
      REQUEST_TIMEOUT_MS: '600',
      CONNECTIONS_CHECK_INTERVAL_MS: '50',
    });
    const slow = await rawClient(service);
    slow.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const drip = setInterval(() => slow.socket.writable && slow.socket.write('a'), 50);
    await slow.closed;
    clearInterval(drip);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
  }, 20_000);
});

describe('requests without a complete response', () => {
  it('are counted and logged as what was sent: 408 timed out, 499 aborted or half-closed, 503 cut at shutdown', async () => {
    const { service, lines } = await startHere({
      HEADERS_TIMEOUT_MS: '300',
      REQUEST_TIMEOUT_MS: '600',
      CONNECTIONS_CHECK_INTERVAL_MS: '50',
      SHUTDOWN_TIMEOUT_MS: '100',
    });
    // Node's own request timeout: the body never completes.
    const timedOut = await startSlowPost(service);
    await timedOut.closed;
    expect(timedOut.received()).toMatch(/^HTTP\/1\.1 408 /);
    // The client goes away mid-request, or closes its sending side.
    const aborted = await startSlowPost(service);
    aborted.socket.destroy();
    await aborted.closed;
    const halfClosed = await startSlowPost(service);
    halfClosed.socket.end();
    await halfClosed.closed;
    // Shutdown's deadline cuts a request still in flight: the server's failure.
    const { server } = service;
    server.requestTimeout = 0;
    server.headersTimeout = 0;
    const cut = await startSlowPost(service);
    await service.close();
    await cut.closed;

    expect(await countsByStatus(service, '/v1/predict')).toEqual({ '408': 1, '499': 2, '503': 1 });
    const logged = lines
      .filter((l) => l.msg === 'request' && l.route === '/v1/predict')
      .map((l) => l.status)
      .sort();
    expect(logged).toEqual([408, 499, 499, 503]);
  }, 20_000);
});

describe('a complete request, then the client closes its sending side', () => {
  it('is counted as answered only when the answer went out before the close', async () => {
    // Node ends the connection on the client's FIN (httpAllowHalfOpen is false), and an
    // answer written after that reaches no one, yet its response still emitted 'finish'.
    const modelDir = await trainModel();
    const { service, lines } = await startHere({ MODEL_DIR: modelDir });
    const body = JSON.stringify(SAMPLE_ROW);
    const clients = 20;
    let answered = 0;
    for (let i = 0; i < clients; i++) {
      const client = await rawClient(service);
      client.socket.end(
        `POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      await client.closed;
      if (/^HTTP\/1\.1 200 /.test(client.received())) answered++;
    }
    await until(
      () => lines.filter((l) => l.msg === 'request' && l.route === '/v1/predict').length >= clients,
    );
    const counts = await countsByStatus(service, '/v1/predict');
    // What the clients received, no more: the rest left before their answer.
    await removeDir(modelDir);
    expect(counts['200'] ?? 0).toBe(answered);
    expect(counts['499'] ?? 0).toBe(clients - answered);
    const logged = lines.filter((l) => l.msg === 'request' && l.route === '/v1/predict');
    expect(logged.filter((l) => l.status === 200)).toHaveLength(answered);
  }, 120_000);
});

describe('pipelined requests', () => {
  it('are read only a few dozen ahead of their answers, and all answered', async () => {
    // Node stops reading a connection only once its answers back up, and answers come
    // later than the requests here: 4 clients pipelining 100,000 requests each without
    // reading took the service from 200 MB to 900 MB, with ~46,000 requests in flight.
    const modelDir = await trainModel();
    const { service } = await startHere({ MODEL_DIR: modelDir });
    let inFlight = 0;
    let most = 0;
    service.server.on('request', (_req, res: ServerResponse) => {
      most = Math.max(most, ++inFlight);
      res.once('close', () => inFlight--);
    });
    const body = JSON.stringify(SAMPLE_ROW);
    const one = `POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const requests = 3000;
    const client = await rawClient(service);
    client.socket.pause(); // reads nothing until all are sent
    client.socket.write(one.repeat(requests));
    await until(() => most >= 100 || inFlight > 0, 100);
    await new Promise((done) => setTimeout(done, 300));
    // At most one read (64 KiB, ~290 requests) past the limit of requests in flight.
    expect(most).toBeLessThanOrEqual(64 + Math.ceil(65_536 / one.length));
    client.socket.resume();
    await until(() => (client.received().match(/HTTP\/1\.1 200 /g) ?? []).length >= requests, 1000);
    expect((client.received().match(/HTTP\/1\.1 200 /g) ?? []).length).toBe(requests);
    client.socket.destroy();
    await removeDir(modelDir);
  }, 120_000);
});

describe('while no model is loaded', () => {
  it('answers a prediction 503 without parsing its body', async () => {
    // Without a model there is no body budget: a 1 MB body of nested arrays would cost
    // JSON.parse ~180 ms only to be told 503.
    const { service } = await startHere();
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const body = `${'['.repeat(400_000)}${']'.repeat(400_000)}`;
      for (const path of ['/v1/predict', '/v1/predict/batch']) {
        const res = await fetch(`${service.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        expect(res.status, path).toBe(503);
        expect(((await res.json()) as { error: string }).error).toMatch(/no model/);
      }
      expect(parse.mock.calls.filter(([text]) => String(text).length >= 400_000)).toEqual([]);
    } finally {
      parse.mockRestore();
    }
  });
});

describe('the URL the service reports', () => {
  it('opens, on an IPv6 host too', async () => {
    // npm start prints it; "http://::1:8080" is not a URL anyone can open.
    for (const host of ['::1', '::', '0.0.0.0', '127.0.0.1']) {
      const { service } = await startHere({ HOST: host });
      const res = await fetch(`${service.url}/healthz`);
      expect(res.status, host).toBe(200);
      await service.close();
    }
  }, 30_000);
});

describe('listen errors', () => {
  const main = (env: Record<string, string>, uid?: number) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'service/src/main.ts'], {
      cwd: ROOT,
      // PREDICTION_LOG off: these tests are about listening, and the embedded log is one
      // folder per process (the prediction log's own tests give each service one).
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        MODEL_DIR: NO_MODEL,
        LOG_LEVEL: 'silent',
        PREDICTION_LOG: 'off',
        ...env,
      },
      encoding: 'utf8',
      timeout: 30_000,
      ...(uid === undefined ? {} : { uid, gid: uid }),
    });

  const expectOneLine = (run: ReturnType<typeof main>, variable: string, value: string) => {
    expect(run.status, run.stderr).not.toBe(0);
    expect(run.status, run.stderr).not.toBe(null);
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`${variable}="${value}"`);
  };

  it('names PORT when the port is in use', async () => {
    const taken: Server = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    try {
      const port = String((taken.address() as { port: number }).port);
      expectOneLine(main({ PORT: port }), 'PORT', port);
    } finally {
      taken.close();
    }
  }, 40_000);

  it('names HOST when it does not resolve, or is not an address of this machine', () => {
    expectOneLine(
      main({ HOST: 'no-such-host.invalid', PORT: '0' }),
      'HOST',
      'no-such-host.invalid',
    );
    expectOneLine(main({ HOST: '192.0.2.1', PORT: '0' }), 'HOST', '192.0.2.1');
  }, 60_000);

  const root = process.getuid?.() === 0;
  const unprivilegedFrom = Number(
    readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'),
  );
  it.skipIf(unprivilegedFrom <= 80)(
    'names PORT when it needs privileges',
    () => {
      // As root every port is allowed: run the service as nobody.
      expectOneLine(main({ PORT: '80' }, root ? 65534 : undefined), 'PORT', '80');
    },
    40_000,
  );
});

describe('the entry point', () => {
  const main = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'service/src/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', MODEL_DIR: NO_MODEL },
      encoding: 'utf8',
      timeout: 20_000,
    });

  /** The variables of the README's service configuration table. */
  const documented = () => {
    const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
    const table = readme.slice(readme.indexOf('| variable'), readme.indexOf('A bad value stops'));
    return [...table.matchAll(/`([A-Z][A-Z_]+)`/g)].map((m) => m[1]!);
  };

  it.each(['--help', '-h'])(
    'answers %s with a usage listing every variable, exit 0, no model',
    (flag) => {
      const run = main(flag);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^usage: /i);
      expect(run.stdout).not.toContain('"msg"'); // nothing was logged: the service did not start
      const listed = [...run.stdout.matchAll(/^\s+([A-Z][A-Z_]+)\b/gm)].map((m) => m[1]!);
      expect(listed.length).toBeGreaterThan(10);
      expect(new Set(listed)).toEqual(new Set(documented()));
    },
    30_000,
  );

  it('rejects an unknown argument by name, exit 2', () => {
    const run = main('--port', '9');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--port');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  }, 30_000);
});

describe('/docs/', () => {
  it('serves the files its page loads and nothing else from swagger-ui-dist', async () => {
    const { service } = await startHere();
    const page = await (await fetch(`${service.url}/docs/`)).text();
    const loaded = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(loaded.length).toBeGreaterThan(0);
    for (const asset of loaded) expect(await getFresh(service, `/docs/${asset}`)).toBe(200);
    const others = readdirSync(swaggerUi.getAbsoluteFSPath()).filter((f) => !loaded.includes(f));
    expect(others).toContain('index.html');
    const statuses = await Promise.all(others.map((f) => getFresh(service, `/docs/${f}`)));
    expect(Object.fromEntries(others.map((f, i) => [f, statuses[i]]))).toEqual(
      Object.fromEntries(others.map((f) => [f, 404])),
    );
  });
});
