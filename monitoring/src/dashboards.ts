import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseJsonText } from '@housing/core/json-text';
import { readTextFile } from '@housing/core/read-text';
import { DASHBOARDS_DIR, ROOT } from './paths.ts';

/** The most a dashboard file may hold; the project's are tens of KiB. */
const MAX_DASHBOARD_BYTES = 16 * 1024 * 1024;

/** The parts of a Grafana panel the lint and the live test read. */
export interface Panel {
  id?: number;
  type?: string;
  title?: string;
  description?: string;
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: { refId?: string; expr?: string }[];
  /** Panels nested in a collapsed row. */
  panels?: Panel[];
}

/** The parts of a Grafana dashboard the lint and the live test read. */
export interface Dashboard {
  file: string;
  uid?: string;
  title?: string;
  schemaVersion?: number;
  templating?: { list?: { name?: string; type?: string; query?: string }[] };
  panels?: Panel[];
}

/** One PromQL query of one panel. */
export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
}

/** Reads every dashboard JSON file that Grafana provisions. */
export async function loadDashboards(dir = DASHBOARDS_DIR): Promise<Dashboard[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (name) => {
      const file = relative(ROOT, join(dir, name));
      const text = await readTextFile(join(dir, name), { maxBytes: MAX_DASHBOARD_BYTES });
      return { ...(parseJsonText(text, file) as Omit<Dashboard, 'file'>), file };
    }),
  );
}

/** Every panel, including those inside rows. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** Every PromQL query of a dashboard. */
export function dashboardQueries(dashboard: Dashboard): PanelQuery[] {
  return allPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? [])
      .filter((t) => typeof t.expr === 'string' && t.expr !== '')
      .map((t) => ({
        dashboard: dashboard.uid ?? dashboard.file,
        panel: panel.title ?? `panel ${panel.id ?? '?'}`,
        refId: t.refId ?? '?',
        expr: t.expr!,
      })),
  );
}

/**
 * A panel query as Prometheus itself would receive it: Grafana's interval
 * variables replaced by a concrete range.
 */
export function concreteQuery(expr: string, rateInterval = '5m'): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, rateInterval);
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects. Good enough for lint, not a
 * parser: it drops strings, label matchers, ranges and grouping clauses, then
 * keeps identifiers that are not functions or keywords. promtool parses the
 * same expressions for real in the dashboard test.
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(/(?<![\w:.])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (name === undefined || call !== undefined || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}
