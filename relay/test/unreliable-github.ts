import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How the fake answers the next dispatches:
 * - `accept`: 204, and the event is recorded (GitHub took it);
 * - `hang`: reads the request and never answers (an outage behind a proxy);
 * - `hold`: keeps the answer until `release()`, then accepts (a slow GitHub);
 * - `{ status, body, headers }`: answers that status with that body and headers
 *   (GitHub refused it, or redirects it).
 *
 * Any request to `/landing` gets 200 and a page, as a proxy's login page or a
 * moved site would answer: a redirect there must not count as a dispatch.
 */
export type GitHubMode =
  'accept' | 'hang' | 'hold' | { status: number; body: string; headers?: Record<string, string> };

/**
 * A loopback stand-in for GitHub's workflow dispatch,
 * `POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches`, that can misbehave.
 */
export interface UnreliableGitHub {
  url: string;
  mode: GitHubMode;
  /** Dispatch requests (`{ ref, inputs }`) GitHub accepted (answered 204), in order. */
  dispatches: unknown[];
  /** Dispatch requests received, whatever the answer. */
  received: number;
  /** Resolves once `received` reaches `n`. */
  waitForRequests(n: number): Promise<void>;
  /** Accepts every held request. */
  release(): void;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1:0, in `accept` mode. */
export async function startUnreliableGitHub(): Promise<UnreliableGitHub> {
  const held: { res: ServerResponse; body: unknown }[] = [];
  const waiters: { n: number; done: () => void }[] = [];
  const accept = (res: ServerResponse, body: unknown) => {
    fake.dispatches.push(body);
    res.writeHead(204).end();
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      fake.received += 1;
      for (const w of waiters.filter((w) => fake.received >= w.n)) w.done();
      if (req.url === '/landing') return res.writeHead(200).end('<html>welcome</html>');
      if (
        req.method !== 'POST' ||
        !/^\/repos\/[^/]+\/[^/]+\/actions\/workflows\/[^/]+\/dispatches$/.test(req.url ?? '')
      )
        return res.writeHead(404).end();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      const { mode } = fake;
      if (mode === 'accept') return accept(res, body);
      if (mode === 'hold') return void held.push({ res, body });
      if (mode === 'hang') return;
      res
        .writeHead(mode.status, { 'content-type': 'application/json', ...mode.headers })
        .end(mode.body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const fake: UnreliableGitHub = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mode: 'accept',
    dispatches: [],
    received: 0,
    waitForRequests: (n) =>
      new Promise<void>((done) => {
        if (fake.received >= n) done();
        else waiters.push({ n, done });
      }),
    release() {
      for (const { res, body } of held.splice(0)) accept(res, body);
    },
    close: () =>
      new Promise<void>((done) => {
        // Hanging requests keep their sockets; cut them, or close never returns.
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
  return fake;
}
