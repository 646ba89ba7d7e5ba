import { resetBranch } from '@housing/github/branch';
import { upsertPullRequest, type OpenPullRequest } from '@housing/github/pull-request';
import { currentRepo, gitHub } from '@housing/github/client';
import { commitFiles } from '@housing/github/commit';
import { readFileOn } from '@housing/github/contents';
import { ConfigurationError } from '@housing/core/errors';

/** The one branch every refresh's pull request comes from. */
export const REFRESH_BRANCH = 'data-refresh';

/** The pull request a refresh opened or updated. */
export type RefreshPullRequest = OpenPullRequest;

/**
 * Opens, or updates in place, the one data-refresh pull request: the branch
 * restarts from `base` every time (so it holds exactly this refresh's
 * change, however many earlier refreshes went unmerged), one commit of the
 * files (data.dvc) through git's data API, then the pull request from that
 * branch, created or retitled with the new body. The local `.dvc` file must
 * be the one `base` holds: rows appended to another data version would
 * build on data the pull request does not have.
 */
export async function openRefreshPullRequest(options: {
  token: string;
  base?: string | undefined;
  /** Repository path -> the base's text the change started from. */
  expected: Map<string, string>;
  files: Map<string, Buffer>;
  title: string;
  body: string;
}): Promise<RefreshPullRequest> {
  const github = gitHub(options.token);
  const repo = currentRepo();
  const base = options.base ?? (await github.rest.repos.get(repo)).data.default_branch;
  const baseSha = (await github.rest.git.getRef({ ...repo, ref: `heads/${base}` })).data.object.sha;
  for (const [path, text] of options.expected) {
    // Read where the branch will start: the rows were appended to this version.
    const onBase = (await readFileOn(github, repo, path, baseSha)).text;
    if (onBase !== text)
      throw new ConfigurationError(
        `${path} differs from ${path} on ${base} (${baseSha.slice(0, 12)}): run the refresh in a checkout of ${base}`,
        path,
      );
  }
  await resetBranch(github, repo, REFRESH_BRANCH, baseSha);
  await commitFiles(github, repo, {
    branch: REFRESH_BRANCH,
    parent: baseSha,
    message: `${options.title}\n\n${options.body.split('\n')[0] ?? ''}`,
    files: options.files,
  });
  return upsertPullRequest(github, repo, {
    branch: REFRESH_BRANCH,
    base,
    title: options.title,
    body: options.body,
  });
}
