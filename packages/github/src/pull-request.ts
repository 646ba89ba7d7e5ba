import type { GitHub } from './client.ts';

/** The pull request {@link upsertPullRequest} left open. */
export interface OpenPullRequest {
  number: number;
  url: string;
  action: 'opened' | 'updated';
}

/**
 * Keeps one open pull request from `branch` into `base`: the open one is
 * retitled and given the new body, else one is created. So however often a
 * workflow proposes a change, reviewers see one pull request with the latest.
 */
export async function upsertPullRequest(
  github: GitHub,
  repo: { owner: string; repo: string },
  change: { branch: string; base: string; title: string; body: string },
): Promise<OpenPullRequest> {
  const { branch, base, title, body } = change;
  const open = (
    await github.rest.pulls.list({ ...repo, state: 'open', head: `${repo.owner}:${branch}`, base })
  ).data;
  const pull = open[0]
    ? (await github.rest.pulls.update({ ...repo, pull_number: open[0].number, title, body })).data
    : (await github.rest.pulls.create({ ...repo, title, head: branch, base, body })).data;
  return { number: pull.number, url: pull.html_url, action: open[0] ? 'updated' : 'opened' };
}
