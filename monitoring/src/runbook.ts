import { ConfigurationError } from '@housing/core/errors';
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

/**
 * Where every alert's `runbook_url` points: the runbook as the repository's web page shows
 * it, followed by the alert's heading anchor. The one place to change it (a fork): then
 * `npm run rules:runbook` rewrites the rules and their promtool tests, and
 * `monitoring/test/rule-lint.unit.test.ts` fails until they agree.
 */
export const RUNBOOK_URL_PREFIX =
  'https://github.com/housing-mlops/housing-mlops/blob/main/monitoring/RUNBOOK.md#';

/** The runbook URL of an alert: its section is the heading named after it. */
export function runbookUrl(alert: string): string {
  return `${RUNBOOK_URL_PREFIX}${githubAnchor(alert)}`;
}

// `- alert: Name` in a rule file, `alertname: Name` in a promtool test: the alert the
// following `runbook_url:` belongs to.
const ALERT_LINE = /^\s*(?:-\s+)?(?:alert|alertname):\s*['"]?([A-Za-z_][\w]*)['"]?\s*$/;
const RUNBOOK_LINE = /^(\s*runbook_url:\s*).*$/;

/**
 * A rule file's or promtool test's text with each `runbook_url:` set to {@link runbookUrl}
 * of the alert above it; everything else, comments and layout included, stays as it is.
 * Throws, naming `file:line`, at a `runbook_url:` with no alert above it.
 */
export function withRunbookUrls(text: string, file: string): string {
  let alert: string | undefined;
  return text
    .split('\n')
    .map((line, i) => {
      const named = ALERT_LINE.exec(line);
      if (named) alert = named[1];
      const runbook = RUNBOOK_LINE.exec(line);
      if (!runbook) return line;
      if (alert === undefined)
        throw new ConfigurationError('runbook_url with no alert above it', `${file}:${i + 1}`);
      return `${runbook[1]}${runbookUrl(alert)}`;
    })
    .join('\n');
}
