import type { GitHub } from './client.ts';

type Repo = { owner: string; repo: string };

/**
 * Commits `files` (repository path -> bytes) as one commit on top of
 * `parent`, which `branch` must point at, and moves `branch` to it as a
 * fast-forward: through git's data API (blobs, a tree on the parent's tree,
 * a commit), since the contents API commits one file at a time. Resolves
 * with the new commit's sha. A branch moved by someone else meanwhile is
 * refused by GitHub (not a fast-forward), never overwritten.
 */
export async function commitFiles(
  github: GitHub,
  repo: Repo,
  change: { branch: string; parent: string; message: string; files: Map<string, Buffer> },
): Promise<string> {
  const base = (await github.rest.git.getCommit({ ...repo, commit_sha: change.parent })).data;
  const tree = [];
  for (const [path, bytes] of change.files) {
    const blob = await github.rest.git.createBlob({
      ...repo,
      content: bytes.toString('base64'),
      encoding: 'base64',
    });
    tree.push({ path, mode: '100644' as const, type: 'blob' as const, sha: blob.data.sha });
  }
  const created = await github.rest.git.createTree({ ...repo, base_tree: base.tree.sha, tree });
  const commit = await github.rest.git.createCommit({
    ...repo,
    message: change.message,
    tree: created.data.sha,
    parents: [change.parent],
  });
  await github.rest.git.updateRef({
    ...repo,
    ref: `heads/${change.branch}`,
    sha: commit.data.sha,
    force: false,
  });
  return commit.data.sha;
}
