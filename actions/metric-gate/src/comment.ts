import type { GitHub } from '@housing/github/client';

/** The hidden marker that finds this action's comment among a PR's comments. */
export const COMMENT_MARKER = '<!-- housing-mlops:metric-gate -->';

/**
 * Keeps exactly one gate comment on a pull request: updates the comment that
 * carries the marker, or creates it when there is none. Never a pile of
 * comments, one per push.
 */
export async function upsertComment(
  github: GitHub,
  repo: { owner: string; repo: string },
  pullNumber: number,
  body: string,
): Promise<{ id: number; action: 'created' | 'updated' }> {
  const marked = `${COMMENT_MARKER}\n${body}`;
  const comments = await github.paginate(github.rest.issues.listComments, {
    ...repo,
    issue_number: pullNumber,
    per_page: 100,
  });
  const existing = comments.find((c) => c.body?.includes(COMMENT_MARKER));
  if (existing) {
    await github.rest.issues.updateComment({ ...repo, comment_id: existing.id, body: marked });
    return { id: existing.id, action: 'updated' };
  }
  const { data } = await github.rest.issues.createComment({
    ...repo,
    issue_number: pullNumber,
    body: marked,
  });
  return { id: data.id, action: 'created' };
}
