import type { GitHubClient } from '../../shared/github.ts';

/** The hidden marker that finds this action's comment among a PR's comments. */
export const COMMENT_MARKER = '<!-- housing-mlops:metric-gate -->';

interface IssueComment {
  id: number;
  body?: string;
}

/**
 * Keeps exactly one gate comment on a pull request: updates the comment that
 * carries the marker, or creates it when there is none. Never a pile of
 * comments, one per push.
 */
export async function upsertComment(
  client: GitHubClient,
  repo: { owner: string; repo: string },
  pullNumber: number,
  body: string,
): Promise<{ id: number; action: 'created' | 'updated' }> {
  const base = `/repos/${repo.owner}/${repo.repo}/issues`;
  const marked = `${COMMENT_MARKER}\n${body}`;
  const existing = (await client.paginate<IssueComment>(`${base}/${pullNumber}/comments`)).find(
    (c) => c.body?.includes(COMMENT_MARKER),
  );
  if (existing) {
    await client.json('PATCH', `${base}/comments/${existing.id}`, { body: marked });
    return { id: existing.id, action: 'updated' };
  }
  const created = await client.json<IssueComment>('POST', `${base}/${pullNumber}/comments`, {
    body: marked,
  });
  return { id: created.id, action: 'created' };
}
