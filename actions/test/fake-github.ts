import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A release as GitHub's REST API returns it (the fields the actions read). */
export interface FakeRelease {
  id: number;
  tag_name: string;
  draft: boolean;
  prerelease: boolean;
  created_at: string;
  name?: string;
  body?: string;
  target_commitish?: string;
  assets: { id: number; name: string; content: string }[];
}

/** A call the fake received. */
export interface RecordedCall {
  method: string;
  path: string;
  body?: unknown;
}

/**
 * A loopback stand-in for api.github.com: the endpoints the actions use,
 * answered as GitHub's REST API answers them (JSON bodies, Link-header
 * pagination, 302 from a release asset to its download, 401 without a
 * token, 404 with a message otherwise). It records every call.
 */
export interface FakeGitHub {
  url: string;
  calls: RecordedCall[];
  releases: FakeRelease[];
  comments: Map<number, { id: number; body: string; user: { login: string } }[]>;
  /** repository_dispatch events received, in order. */
  dispatches: unknown[];
  /** Statuses to answer the next dispatches with instead of 204 (a GitHub outage). */
  failDispatches: number[];
  /** The git side: branch -> commit, and each commit's files (path -> text). */
  git: { refs: Map<string, string>; commits: Map<string, Map<string, string>> };
  pulls: {
    number: number;
    title: string;
    head: string;
    base: string;
    body: string;
    state: 'open' | 'closed';
  }[];
  /** Deployments created, each with the statuses posted to it, in order. */
  deployments: {
    id: number;
    request: Record<string, unknown>;
    statuses: Record<string, unknown>[];
  }[];
  /** Sets a branch to a new commit holding these files. */
  seedBranch(branch: string, files: Record<string, string>): void;
  close(): Promise<void>;
}

const REPO = /^\/repos\/([^/]+)\/([^/]+)/;

export async function startFakeGitHub(token: string): Promise<FakeGitHub> {
  const calls: RecordedCall[] = [];
  const releases: FakeRelease[] = [];
  const comments: FakeGitHub['comments'] = new Map();
  const dispatches: unknown[] = [];
  const git: FakeGitHub['git'] = { refs: new Map(), commits: new Map() };
  const pulls: FakeGitHub['pulls'] = [];
  const deployments: FakeGitHub['deployments'] = [];
  const blobSha = (text: string) =>
    createHash('sha1')
      .update(`blob ${Buffer.byteLength(text)}\0${text}`)
      .digest('hex');
  let commitCounter = 0;
  const commit = (files: Map<string, string>) => {
    const sha = createHash('sha1').update(`commit ${++commitCounter}`).digest('hex');
    git.commits.set(sha, files);
    return sha;
  };
  const failDispatches: number[] = [];
  let nextId = 1000;

  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };
  const page = (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    items: unknown[],
    toJson: (i: unknown) => unknown = (i) => i,
  ) => {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), 100);
    const pageNo = Number(url.searchParams.get('page') ?? 1);
    const slice = items.slice((pageNo - 1) * perPage, pageNo * perPage);
    const headers: Record<string, string> = {};
    if (pageNo * perPage < items.length) {
      const next = new URL(url.toString());
      next.searchParams.set('page', String(pageNo + 1));
      headers.link = `<http://${req.headers.host}${next.pathname}${next.search}>; rel="next"`;
    }
    send(res, 200, slice.map(toJson), headers);
  };

  /** A release as the REST API shows it: asset metadata, not contents, and its URLs. */
  const releaseJson = (req: IncomingMessage, repo: RegExpExecArray | null, r: FakeRelease) => {
    const { assets, ...release } = r;
    const host = `http://${req.headers.host}`;
    const path = repo ? `repos/${repo[1]}/${repo[2]}` : 'repos/unknown/unknown';
    return {
      ...release,
      html_url: `https://github.com/${path.slice('repos/'.length)}/releases/tag/${r.tag_name}`,
      upload_url: `${host}/uploads/${path}/releases/${r.id}/assets{?name,label}`,
      assets: assets.map(({ id, name }) => ({ id, name })),
    };
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const raw = Buffer.concat(chunks);
      const isJson = (req.headers['content-type'] ?? '').startsWith('application/json');
      const body =
        isJson && raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as unknown) : undefined;
      calls.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        ...(body === undefined ? {} : { body }),
      });

      // Release asset downloads come from storage, without the API token.
      const download = /^\/downloads\/(\d+)$/.exec(url.pathname);
      if (download) {
        const asset = releases.flatMap((r) => r.assets).find((a) => a.id === Number(download[1]));
        if (!asset) return send(res, 404, { message: 'Not Found' });
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(asset.content);
      }
      if (req.headers.authorization !== `Bearer ${token}`)
        return send(res, 401, {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
        });
      const repo = REPO.exec(url.pathname);
      const rest = repo ? url.pathname.slice(repo[0].length) : url.pathname;
      let m: RegExpExecArray | null;

      // uploads.github.com: POST /repos/:owner/:repo/releases/:id/assets?name=
      if (
        req.method === 'POST' &&
        (m = /^\/uploads\/repos\/[^/]+\/[^/]+\/releases\/(\d+)\/assets$/.exec(url.pathname))
      ) {
        const release = releases.find((r) => r.id === Number(m![1]));
        const name = url.searchParams.get('name');
        if (!release || !name) return send(res, 404, { message: 'Not Found' });
        if (release.assets.some((a) => a.name === name))
          return send(res, 422, {
            message: 'Validation Failed',
            errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }],
          });
        const asset = { id: nextId++, name, content: raw.toString('utf8') };
        release.assets.push(asset);
        return send(res, 201, {
          id: asset.id,
          name,
          size: raw.length,
          content_type: req.headers['content-type'],
        });
      }
      if (req.method === 'POST' && rest === '/releases') {
        const create = body as {
          tag_name: string;
          name?: string;
          body?: string;
          target_commitish?: string;
        };
        if (releases.some((r) => r.tag_name === create.tag_name))
          return send(res, 422, {
            message: 'Validation Failed',
            errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
          });
        const release: FakeRelease = {
          id: nextId++,
          tag_name: create.tag_name,
          ...(create.name === undefined ? {} : { name: create.name }),
          ...(create.body === undefined ? {} : { body: create.body }),
          ...(create.target_commitish === undefined
            ? {}
            : { target_commitish: create.target_commitish }),
          draft: false,
          prerelease: false,
          created_at: new Date().toISOString(),
          assets: [],
        };
        releases.unshift(release); // newest first, as GitHub lists them
        return send(res, 201, releaseJson(req, repo, release));
      }
      if (req.method === 'GET' && rest === '')
        return send(res, 200, { full_name: `${repo?.[1]}/${repo?.[2]}`, default_branch: 'main' });
      if (req.method === 'GET' && (m = /^\/git\/ref\/heads\/(.+)$/.exec(rest))) {
        const sha = git.refs.get(m[1]!);
        if (!sha) return send(res, 404, { message: 'Not Found' });
        return send(res, 200, { ref: `refs/heads/${m[1]}`, object: { sha, type: 'commit' } });
      }
      if (req.method === 'POST' && rest === '/git/refs') {
        const { ref, sha } = body as { ref: string; sha: string };
        const name = ref.replace(/^refs\/heads\//, '');
        if (git.refs.has(name)) return send(res, 422, { message: 'Reference already exists' });
        if (!git.commits.has(sha)) return send(res, 422, { message: 'Object does not exist' });
        git.refs.set(name, sha);
        return send(res, 201, { ref, object: { sha, type: 'commit' } });
      }
      if (req.method === 'PATCH' && (m = /^\/git\/refs\/heads\/(.+)$/.exec(rest))) {
        const { sha, force } = body as { sha: string; force?: boolean };
        if (!git.refs.has(m[1]!)) return send(res, 422, { message: 'Reference does not exist' });
        if (!force) return send(res, 422, { message: 'Update is not a fast forward' });
        git.refs.set(m[1]!, sha);
        return send(res, 200, { ref: `refs/heads/${m[1]}`, object: { sha, type: 'commit' } });
      }
      if ((m = /^\/contents\/(.+)$/.exec(rest))) {
        const path = m[1]!;
        if (req.method === 'GET') {
          const files = git.commits.get(git.refs.get(url.searchParams.get('ref') ?? 'main') ?? '');
          const text = files?.get(path);
          if (text === undefined) return send(res, 404, { message: 'Not Found' });
          return send(res, 200, {
            path,
            sha: blobSha(text),
            encoding: 'base64',
            content: Buffer.from(text).toString('base64'),
          });
        }
        if (req.method === 'PUT') {
          const put = body as { message: string; content: string; sha?: string; branch: string };
          const head = git.refs.get(put.branch);
          const files = new Map(git.commits.get(head ?? '') ?? []);
          const old = files.get(path);
          if (old !== undefined && put.sha !== blobSha(old))
            return send(res, 409, { message: `${path} does not match ${put.sha}` });
          files.set(path, Buffer.from(put.content, 'base64').toString('utf8'));
          const sha = commit(files);
          git.refs.set(put.branch, sha);
          return send(res, 200, {
            content: { path, sha: blobSha(files.get(path)!) },
            commit: { sha, message: put.message },
          });
        }
      }
      if (rest === '/pulls' || rest.startsWith('/pulls/')) {
        const html = (n: number) => `https://github.com/${repo?.[1]}/${repo?.[2]}/pull/${n}`;
        if (req.method === 'GET' && rest === '/pulls') {
          const head = url.searchParams.get('head')?.split(':')[1];
          const list = pulls.filter(
            (p) =>
              p.state === (url.searchParams.get('state') ?? 'open') &&
              (head === undefined || p.head === head) &&
              (!url.searchParams.get('base') || p.base === url.searchParams.get('base')),
          );
          return send(
            res,
            200,
            list.map((p) => ({ ...p, html_url: html(p.number) })),
          );
        }
        if (req.method === 'POST' && rest === '/pulls') {
          const create = body as { title: string; head: string; base: string; body: string };
          if (
            pulls.some(
              (p) => p.state === 'open' && p.head === create.head && p.base === create.base,
            )
          )
            return send(res, 422, { message: `A pull request already exists for ${create.head}.` });
          const pull = { number: nextId++, state: 'open' as const, ...create };
          pulls.push(pull);
          return send(res, 201, { ...pull, html_url: html(pull.number) });
        }
        if (req.method === 'PATCH' && (m = /^\/pulls\/(\d+)$/.exec(rest))) {
          const pull = pulls.find((p) => p.number === Number(m![1]));
          if (!pull) return send(res, 404, { message: 'Not Found' });
          Object.assign(pull, body as object);
          return send(res, 200, { ...pull, html_url: html(pull.number) });
        }
      }
      if (req.method === 'POST' && rest === '/deployments') {
        const request = body as Record<string, unknown>;
        if (typeof request.ref !== 'string')
          return send(res, 422, { message: 'Invalid request: ref' });
        const deployment = { id: nextId++, request, statuses: [] as Record<string, unknown>[] };
        deployments.push(deployment);
        return send(res, 201, { id: deployment.id, ...request });
      }
      if (req.method === 'POST' && (m = /^\/deployments\/(\d+)\/statuses$/.exec(rest))) {
        const deployment = deployments.find((d) => d.id === Number(m![1]));
        if (!deployment) return send(res, 404, { message: 'Not Found' });
        const status = body as Record<string, unknown>;
        const states = [
          'error',
          'failure',
          'inactive',
          'in_progress',
          'queued',
          'pending',
          'success',
        ];
        if (!states.includes(String(status.state)))
          return send(res, 422, { message: `Invalid state: ${String(status.state)}` });
        deployment.statuses.push(status);
        // auto_inactive: a success marks the environment's earlier deployments inactive.
        if (status.state === 'success' && status.auto_inactive !== false)
          for (const other of deployments)
            if (
              other !== deployment &&
              other.request.environment === deployment.request.environment &&
              other.statuses.at(-1)?.state === 'success'
            )
              other.statuses.push({ state: 'inactive', description: 'superseded' });
        return send(res, 201, { id: nextId++, ...status });
      }
      if (req.method === 'POST' && rest === '/dispatches') {
        const failure = failDispatches.shift();
        if (failure !== undefined) return send(res, failure, { message: 'Server Error' });
        const event = body as { event_type?: unknown } | undefined;
        if (typeof event?.event_type !== 'string')
          return send(res, 422, { message: 'Invalid request.\n\n"event_type" wasn\'t supplied.' });
        dispatches.push(body);
        res.writeHead(204);
        return res.end();
      }
      if (req.method === 'GET' && rest === '/releases')
        return page(req, res, url, releases, (r) => releaseJson(req, repo, r as FakeRelease));
      if (req.method === 'GET' && (m = /^\/releases\/assets\/(\d+)$/.exec(rest))) {
        if (req.headers.accept !== 'application/octet-stream')
          return send(res, 200, { id: Number(m[1]) });
        return send(res, 302, '', { location: `http://${req.headers.host}/downloads/${m[1]}` });
      }
      if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
        const list = comments.get(Number(m[1])) ?? [];
        if (req.method === 'GET') return page(req, res, url, list);
        if (req.method === 'POST') {
          const comment = {
            id: nextId++,
            body: (body as { body: string }).body,
            user: { login: 'github-actions[bot]' },
          };
          comments.set(Number(m[1]), [...list, comment]);
          return send(res, 201, comment);
        }
      }
      if (req.method === 'PATCH' && (m = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
        const comment = [...comments.values()].flat().find((c) => c.id === Number(m![1]));
        if (!comment) return send(res, 404, { message: 'Not Found' });
        comment.body = (body as { body: string }).body;
        return send(res, 200, comment);
      }
      send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    releases,
    comments,
    dispatches,
    failDispatches,
    git,
    pulls,
    deployments,
    seedBranch: (branch, files) =>
      void git.refs.set(branch, commit(new Map(Object.entries(files)))),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
