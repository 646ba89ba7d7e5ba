import { readFile } from 'node:fs/promises';
import { isAbsolute, join, posix } from 'node:path';
import { ConfigurationError, errnoCode } from '@housing/core/errors';
import type { GitHub } from '../../shared/github.ts';

type Repo = { owner: string; repo: string };

/**
 * The `files` input: newline-separated paths inside the workspace (blank lines
 * skipped), each read from it and committed at the same path. A path outside
 * the workspace, one given twice, one of `reserved` (what the action writes
 * itself) or one that cannot be read is refused, naming it.
 */
export async function readFilesInput(
  text: string,
  workspace: string,
  reserved: string[],
): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const line of text.split('\n')) {
    const given = line.trim();
    if (given === '') continue;
    const path = posix.normalize(given);
    if (isAbsolute(given) || path === '.' || path === '..' || path.startsWith('../'))
      throw new ConfigurationError(`input 'files': '${given}' must be a path inside the workspace`);
    if (reserved.includes(path))
      throw new ConfigurationError(`input 'files': '${given}' is the file this action writes`);
    if (files.has(path)) throw new ConfigurationError(`input 'files': '${given}' is listed twice`);
    const bytes = await readFile(join(workspace, path)).catch((error: unknown) => {
      throw new ConfigurationError(
        `input 'files': cannot read '${given}' (${errnoCode(error) ?? 'unreadable'})`,
      );
    });
    files.set(path, bytes);
  }
  return files;
}

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
