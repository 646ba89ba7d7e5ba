import { readTextFile } from '@housing/core/read-text';
import { RUNBOOK } from './paths.ts';

/** The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to hyphens. */
export function githubAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every heading anchor in the runbook. */
export async function runbookAnchors(path = RUNBOOK): Promise<Set<string>> {
  const text = await readTextFile(path, { what: 'runbook' });
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => githubAnchor(m[1] ?? '')));
}
