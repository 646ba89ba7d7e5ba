import { GitHubApiError } from '@housing/core/errors';
import type { GitHub } from './client.ts';

/**
 * Whether `branch` exists. GitHub's 404 (by its status, not its text) is the
 * answer "no"; any other failure is thrown.
 */
export async function branchExists(
  github: GitHub,
  repo: { owner: string; repo: string },
  branch: string,
): Promise<boolean> {
  try {
    await github.rest.git.getRef({ ...repo, ref: `heads/${branch}` });
    return true;
  } catch (error) {
    if (error instanceof GitHubApiError && error.status === 404) return false;
    throw error;
  }
}

/**
 * Points `branch` at `sha`: creates it, or moves it there even when that is
 * not a fast-forward. A pull request's branch restarts from its base this
 * way every time, so it holds exactly the one change committed next.
 */
export async function resetBranch(
  github: GitHub,
  repo: { owner: string; repo: string },
  branch: string,
  sha: string,
): Promise<void> {
  if (await branchExists(github, repo, branch))
    await github.rest.git.updateRef({ ...repo, ref: `heads/${branch}`, sha, force: true });
  else await github.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha });
}
