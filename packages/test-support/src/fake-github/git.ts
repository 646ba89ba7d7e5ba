import type { components } from '@octokit/openapi-types';
import { fail, notFound, send, type Exchange, type Route } from './http.ts';
import { blobSha } from './state.ts';

type Schemas = components['schemas'];
type RefJson = Pick<Schemas['git-ref'], 'ref'> & {
  object: Pick<Schemas['git-ref']['object'], 'sha' | 'type'>;
};

const refJson = (branch: string, sha: string): RefJson => ({
  ref: `refs/heads/${branch}`,
  object: { sha, type: 'commit' },
});

/** The repository itself, then the git side: branches (refs) and file contents. */
export const gitRoutes: Route[] = [
  {
    method: 'GET',
    path: /^$/,
    handle(x) {
      const body: Pick<Schemas['full-repository'], 'full_name' | 'default_branch' | 'private'> = {
        full_name: `${x.repo.owner}/${x.repo.repo}`,
        default_branch: 'main',
        private: x.state.settings.private,
      };
      send(x.res, 200, body);
    },
  },
  {
    method: 'GET',
    path: /^\/git\/ref\/heads\/(.+)$/,
    handle(x, m) {
      const sha = x.state.git.refs.get(m[1]!);
      if (!sha) return notFound(x.res);
      send(x.res, 200, refJson(m[1]!, sha));
    },
  },
  {
    method: 'POST',
    path: /^\/git\/refs$/,
    handle(x) {
      const { ref, sha } = x.body as { ref: string; sha: string };
      const name = ref.replace(/^refs\/heads\//, '');
      if (x.state.git.refs.has(name)) return fail(x.res, 422, 'Reference already exists');
      if (!x.state.git.commits.has(sha)) return fail(x.res, 422, 'Object does not exist');
      x.state.git.refs.set(name, sha);
      send(x.res, 201, refJson(name, sha));
    },
  },
  {
    method: 'PATCH',
    path: /^\/git\/refs\/heads\/(.+)$/,
    handle(x, m) {
      const { sha, force } = x.body as { sha: string; force?: boolean };
      const current = x.state.git.refs.get(m[1]!);
      if (current === undefined) return fail(x.res, 422, 'Reference does not exist');
      if (!x.state.git.commits.has(sha)) return fail(x.res, 422, 'Object does not exist');
      if (!force && !descends(x.state.git.parents, sha, current))
        return fail(x.res, 422, 'Update is not a fast forward');
      x.state.git.refs.set(m[1]!, sha);
      send(x.res, 200, refJson(m[1]!, sha));
    },
  },
  {
    method: 'GET',
    path: /^\/contents\/(.+)$/,
    handle(x, m) {
      const { refs, commits } = x.state.git;
      // `ref` is a branch or, as GitHub also takes, a commit sha.
      const ref = x.url.searchParams.get('ref') ?? 'main';
      const text = commits.get(refs.get(ref) ?? ref)?.get(m[1]!);
      if (text === undefined) return notFound(x.res);
      const body: Pick<Schemas['content-file'], 'type' | 'path' | 'sha' | 'encoding' | 'content'> =
        {
          type: 'file',
          path: m[1]!,
          sha: blobSha(text),
          encoding: 'base64',
          content: Buffer.from(text).toString('base64'),
        };
      send(x.res, 200, body);
    },
  },
  { method: 'PUT', path: /^\/contents\/(.+)$/, handle: putContents },
];

/** Whether `ancestor` is `sha` or one of its ancestors: a move from it to `sha` is a fast-forward. */
function descends(parents: Map<string, string[]>, sha: string, ancestor: string): boolean {
  const seen = new Set<string>();
  const queue = [sha];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    if (next === ancestor) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...(parents.get(next) ?? []));
  }
  return false;
}

/** Commits one file onto a branch, refusing a stale blob sha as GitHub does (409). */
function putContents(x: Exchange, m: RegExpExecArray): void {
  const path = m[1]!;
  const put = x.body as { message: string; content: string; sha?: string; branch: string };
  const { git } = x.state;
  const files = new Map(git.commits.get(git.refs.get(put.branch) ?? '') ?? []);
  const old = files.get(path);
  if (old !== undefined && put.sha !== blobSha(old))
    return fail(x.res, 409, `${path} does not match ${put.sha}`);
  files.set(path, Buffer.from(put.content, 'base64').toString('utf8'));
  const parent = git.refs.get(put.branch);
  const sha = x.state.commit(files, parent === undefined ? [] : [parent], put.message);
  git.refs.set(put.branch, sha);
  const body: {
    content: Pick<NonNullable<Schemas['file-commit']['content']>, 'path' | 'sha'>;
    commit: Pick<Schemas['file-commit']['commit'], 'sha' | 'message'>;
  } = { content: { path, sha: blobSha(files.get(path)!) }, commit: { sha, message: put.message } };
  send(x.res, 200, body);
}
