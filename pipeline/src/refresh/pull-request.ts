import { resetBranch } from '@housing/github/branch';
import { upsertPullRequest, type OpenPullRequest } from '@housing/github/pull-request';
import { currentRepo, gitHub, type GitHub } from '@housing/github/client';
import { commitFiles } from '@housing/github/commit';
import { readFileOn } from '@housing/github/contents';
import { ConfigurationError } from '@housing/core/errors';

/** The one branch every refresh's pull request comes from. */
export const REFRESH_BRANCH = 'data-refresh';

/** The pull request a refresh opened or updated. */
export type RefreshPullRequest = OpenPullRequest;

/** Where the pull request goes: checked before the refresh changes anything. */
export interface RefreshBase {
  github: GitHub;
  repo: { owner: string; repo: string };
  base: string;
  baseSha: string;
}

/**
 * Finds the base branch (the repository's default unless named) and checks
 * that each local file of `expected` is the one the base holds: rows
 * appended to another data version would build on data the pull request
 * does not have. Called before anything is exported or written.
 */
export async function checkBase(options: {
  token: string;
  base?: string | undefined;
  /** Repository path -> the local text the change starts from. */
  expected: Map<string, string>;
}): Promise<RefreshBase> {
  const github = gitHub(options.token);
  const repo = currentRepo();
  const base = options.base ?? (await github.rest.repos.get(repo)).data.default_branch;
  const baseSha = (await github.rest.git.getRef({ ...repo, ref: `heads/${base}` })).data.object.sha;
  for (const [path, text] of options.expected) {
    // Read where the branch will start: the rows are appended to this version.
    const onBase = (await readFileOn(github, repo, path, baseSha)).text;
    if (onBase !== text)
      throw new ConfigurationError(
        `is not the one on ${base} (${baseSha.slice(0, 12)}): run the refresh in a checkout of ${base}`,
        path,
      );
  }
  return { github, repo, base, baseSha };
}

/**
 * Opens, or updates in place, the one data-refresh pull request: the branch
 * restarts from the base every time (so it holds exactly this refresh's
 * change, however many earlier refreshes went unmerged), one commit of the
 * files (data.dvc) through git's data API, then the pull request from that
 * branch, created or updated with the new title and body.
 */
export async function openRefreshPullRequest(
  target: RefreshBase,
  change: { files: Map<string, Buffer>; title: string; body: string },
): Promise<RefreshPullRequest> {
  const { github, repo, base, baseSha } = target;
  await resetBranch(github, repo, REFRESH_BRANCH, baseSha);
  await commitFiles(github, repo, {
    branch: REFRESH_BRANCH,
    parent: baseSha,
    message: `${change.title}\n\n${change.body.split('\n')[0] ?? ''}`,
    files: change.files,
  });
  return upsertPullRequest(github, repo, {
    branch: REFRESH_BRANCH,
    base,
    title: change.title,
    body: change.body,
  });
}
