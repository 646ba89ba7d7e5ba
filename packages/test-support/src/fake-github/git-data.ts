import type { components } from '@octokit/openapi-types';
import { fail, notFound, send, type Exchange, type Route } from './http.ts';
import { blobSha, treeSha } from './state.ts';

type Schemas = components['schemas'];

/** A tree entry as POST /git/trees takes it: a blob by sha or by content, or null to delete. */
interface TreeEntry {
  path: string;
  mode: string;
  type: string;
  sha?: string | null;
  content?: string;
}

const commitJson = (
  x: Exchange,
  sha: string,
): Pick<Schemas['git-commit'], 'sha' | 'message'> & {
  tree: Pick<Schemas['git-commit']['tree'], 'sha'>;
  parents: Pick<Schemas['git-commit']['parents'][number], 'sha'>[];
} => ({
  sha,
  message: x.state.git.messages.get(sha) ?? '',
  tree: { sha: x.state.git.commitTrees.get(sha)! },
  parents: (x.state.git.parents.get(sha) ?? []).map((parent) => ({ sha: parent })),
});

/**
 * Git's data API, which commits several files at once: blobs, trees on a base
 * tree, commits on parents, and reading a commit back. Objects that do not
 * exist are refused with 422 (404 for a commit read), as GitHub does.
 */
export const gitDataRoutes: Route[] = [
  {
    method: 'POST',
    path: /^\/git\/blobs$/,
    handle(x) {
      const { content, encoding } = x.body as { content: string; encoding?: string };
      const text =
        encoding === 'base64' ? Buffer.from(content, 'base64').toString('utf8') : content;
      const sha = blobSha(text);
      x.state.git.blobs.set(sha, text);
      const body: Schemas['short-blob'] = { sha, url: `${x.origin}/git/blobs/${sha}` };
      send(x.res, 201, body);
    },
  },
  {
    method: 'POST',
    path: /^\/git\/trees$/,
    handle(x) {
      const { base_tree, tree } = x.body as { base_tree?: string; tree: TreeEntry[] };
      const { trees, blobs } = x.state.git;
      const base = base_tree === undefined ? new Map<string, string>() : trees.get(base_tree);
      if (!base) return fail(x.res, 422, 'base_tree is not a valid tree');
      const files = new Map(base);
      for (const entry of tree) {
        if (entry.sha === null) {
          files.delete(entry.path);
          continue;
        }
        const text = entry.content ?? blobs.get(entry.sha ?? '');
        if (text === undefined || entry.type !== 'blob')
          return fail(x.res, 422, `tree.sha ${entry.sha} is not a valid blob`);
        files.set(entry.path, text);
      }
      const sha = treeSha(files);
      trees.set(sha, files);
      const body: Pick<Schemas['git-tree'], 'sha' | 'truncated' | 'tree'> = {
        sha,
        truncated: false,
        tree: [...files].map(([path, text]) => ({
          path,
          mode: '100644',
          type: 'blob',
          sha: blobSha(text),
        })),
      };
      send(x.res, 201, body);
    },
  },
  {
    method: 'POST',
    path: /^\/git\/commits$/,
    handle(x) {
      const { message, tree, parents } = x.body as {
        message: string;
        tree: string;
        parents?: string[];
      };
      const files = x.state.git.trees.get(tree);
      if (!files) return fail(x.res, 422, 'Tree SHA does not exist');
      if ((parents ?? []).some((parent) => !x.state.git.commits.has(parent)))
        return fail(x.res, 422, 'Parent SHA does not exist or is not a commit object');
      const sha = x.state.commit(new Map(files), parents ?? [], message);
      send(x.res, 201, commitJson(x, sha));
    },
  },
  {
    method: 'GET',
    path: /^\/git\/commits\/([0-9a-f]{40})$/,
    handle(x, m) {
      if (!x.state.git.commits.has(m[1]!)) return notFound(x.res);
      send(x.res, 200, commitJson(x, m[1]!));
    },
  },
];
