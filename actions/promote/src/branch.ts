import { GitHubApiError } from '@housing/core/errors';
import type { GitHub } from '../../shared/github.ts';

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
