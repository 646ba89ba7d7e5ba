import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attestationRoutes } from './attestations.ts';
import { deploymentRoutes } from './deployments.ts';
import { gitRoutes } from './git.ts';
import { gitDataRoutes } from './git-data.ts';
import { fail, notFound, type Exchange, type Route } from './http.ts';
import { issueRoutes } from './issues.ts';
import { pullRoutes } from './pulls.ts';
import { releaseRoutes } from './releases.ts';
import { settingsRoutes } from './settings.ts';
import { createState, type FakeState } from './state.ts';
import { workflowRoutes } from './workflows.ts';

export type {
  FakeAttestation,
  FakeComment,
  FakeDeployment,
  FakeEnvironment,
  FakePull,
  FakeRelease,
  FakeRunner,
  FakeSettings,
  FakeWorkflowDispatch,
  RecordedCall,
} from './state.ts';

/**
 * A loopback stand-in for api.github.com: the endpoints the actions, the doctor
 * and the relay use (the relay's workflow_dispatch checked against the inputs a
 * seeded workflow declares), answered as GitHub's REST API answers them (JSON bodies typed
 * by GitHub's OpenAPI schema, Link-header pagination, 302 from a release
 * asset to its download, 401 without the token, 404 with a message
 * otherwise). It records every call. Its git side keeps each commit's files,
 * parents and tree, so a test can read what a branch holds after the action. A real HTTP server, not an in-process
 * interceptor: the action tests run each bundle as a child process.
 */
export interface FakeGitHub extends Omit<FakeState, 'nextId' | 'commit'> {
  url: string;
  /** Sets a branch to a new commit holding these files. */
  seedBranch(branch: string, files: Record<string, string>): void;
  close(): Promise<void>;
}

const ROUTES: readonly Route[] = [
  ...releaseRoutes,
  ...gitRoutes,
  ...gitDataRoutes,
  ...pullRoutes,
  ...issueRoutes,
  ...deploymentRoutes,
  ...attestationRoutes,
  ...workflowRoutes,
  ...settingsRoutes,
];

const REPO = /^\/repos\/([^/]+)\/([^/]+)/;

/** The route for a request, with its match; `rest` is the path after /repos/{owner}/{repo}. */
function findRoute(method: string, path: string, rest: string | undefined) {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const target = route.absolute ? path : rest;
    const match = target === undefined ? null : route.path.exec(target);
    if (match) return { route, match };
  }
  return undefined;
}

/** GitHub takes a token as `Bearer <token>` or, as Octokit sends it, `token <token>`. */
const authorized = (req: IncomingMessage, token: string) =>
  req.headers.authorization === `Bearer ${token}` || req.headers.authorization === `token ${token}`;

function handle(state: FakeState, token: string, req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://fake');
    // Octokit percent-encodes the slashes of a ref or a file path; GitHub reads them decoded.
    const path = decodeURIComponent(url.pathname);
    const raw = Buffer.concat(chunks);
    const isJson = (req.headers['content-type'] ?? '').startsWith('application/json');
    const body =
      isJson && raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as unknown) : undefined;
    const method = req.method ?? 'GET';
    state.calls.push({ method, path, ...(body === undefined ? {} : { body }) });

    const repo = REPO.exec(path);
    const found = findRoute(method, path, repo ? path.slice(repo[0].length) : undefined);
    if (!found?.route.public && !authorized(req, token)) return fail(res, 401, 'Bad credentials');
    if (!found) return notFound(res);
    const x: Exchange = {
      req,
      res,
      url,
      raw,
      body,
      repo: { owner: repo?.[1] ?? 'unknown', repo: repo?.[2] ?? 'unknown' },
      origin: `http://${req.headers.host}`,
      state,
    };
    found.route.handle(x, found.match);
  });
}

/** Starts the fake on 127.0.0.1:0; requests must carry `token`. */
export async function startFakeGitHub(token: string): Promise<FakeGitHub> {
  const state = createState();
  const server = createServer((req, res) => handle(state, token, req, res));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  // The tests see the same arrays and maps the routes change.
  const { calls, releases, comments, failDispatches, git, pulls, deployments, attestations } =
    state;
  const { workflows, workflowDispatches, settings } = state;
  return {
    calls,
    releases,
    comments,
    failDispatches,
    workflows,
    workflowDispatches,
    git,
    pulls,
    deployments,
    attestations,
    settings,
    url: `http://127.0.0.1:${port}`,
    seedBranch: (branch, files) =>
      void git.refs.set(branch, state.commit(new Map(Object.entries(files)))),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
