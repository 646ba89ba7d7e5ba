import type { Check, Section } from './check.ts';

const LABELS: Record<Check['status'], string> = {
  ok: 'ok',
  missing: 'MISSING',
  warn: 'warn',
  none: '-',
};
const WIDTH = Math.max(...Object.values(LABELS).map((l) => l.length));

/** What no API call can see: each runner host's own setup, checked there. */
const ON_THE_RUNNER = [
  'not checked here (on each runner host, as the runner user):',
  '  docker compose version    Compose v2 (the plugin, or docker-compose 2.x)',
  '  id -nG                    lists docker: the runner user may use Docker',
  '  gh --version              2.67.0 or later: the deploy verifies provenance with it (CVE-2025-25204)',
  // The names only: the file holds ADMIN_TOKEN, which a terminal should not show.
  "  grep -o '^[A-Z_]*=' ~/.housing-mlops/<environment>.env   lists SERVICE_PORT= and ADMIN_TOKEN=",
];

/** One check as lines: status, what, detail, then its fix indented beneath. */
function checkLines(check: Check): string[] {
  const head = `  ${LABELS[check.status].padEnd(WIDTH)}  ${check.what}${check.detail ? `: ${check.detail}` : ''}`;
  return check.fix ? [head, `  ${' '.repeat(WIDTH)}  fix: ${check.fix}`] : [head];
}

/** The whole report, and whether anything required is missing. */
export function formatReport(
  heading: string,
  sections: Section[],
): { text: string; missing: number } {
  const checks = sections.flatMap((s) => s.checks);
  const count = (status: Check['status']) => checks.filter((c) => c.status === status).length;
  const missing = count('missing');
  const warnings = count('warn');
  const summary =
    missing === 0
      ? `everything required is set${warnings > 0 ? ` (${warnings} warning(s))` : ''}`
      : `${missing} required setting(s) missing${warnings > 0 ? `, ${warnings} warning(s)` : ''}: fix them and run npm run doctor again`;
  const lines = [
    heading,
    ...sections.flatMap((s) => ['', s.title, ...s.checks.flatMap(checkLines)]),
    '',
    summary,
    '',
    ...ON_THE_RUNNER,
    '',
  ];
  return { text: lines.join('\n'), missing };
}
