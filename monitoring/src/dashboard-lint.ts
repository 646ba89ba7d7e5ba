import { allPanels, dashboardQueries, metricNames, type Dashboard } from './dashboards.ts';

/** One finding of the dashboard lint: the file, the panel when there is one, and what is wrong. */
export interface DashboardFinding {
  file: string;
  panel?: string;
  message: string;
}

/**
 * Lints provisioned dashboards: unique uids, a schemaVersion, a Prometheus
 * datasource variable that every panel uses, a title, description and unit
 * on every panel, `$__rate_interval` in every rate(), and only metric names
 * in `known` (what the service exports and the recording rules record).
 */
export function lintDashboards(dashboards: Dashboard[], known: Set<string>): DashboardFinding[] {
  const findings: DashboardFinding[] = [];
  const seen = new Map<string, string>();
  for (const d of dashboards) {
    const add = (message: string, panel?: string) =>
      findings.push({ file: d.file, ...(panel === undefined ? {} : { panel }), message });
    if (!d.uid) add('has no uid');
    else if (seen.has(d.uid)) add(`uid '${d.uid}' is also used by ${seen.get(d.uid)}`);
    else seen.set(d.uid, d.file);
    if (typeof d.schemaVersion !== 'number') add('has no schemaVersion');
    const variable = d.templating?.list?.find((v) => v.type === 'datasource');
    if (variable?.query !== 'prometheus') add('has no Prometheus datasource variable');
    const ref = `\${${variable?.name ?? 'datasource'}}`;
    for (const p of allPanels(d).filter((p) => p.type !== 'row')) {
      const title = p.title?.trim() || `panel ${p.id ?? '?'}`;
      if (!p.title?.trim()) add('has no title', title);
      if (!p.description?.trim()) add('has no description', title);
      if (!p.fieldConfig?.defaults?.unit) add('has no unit', title);
      if ((p as { datasource?: { uid?: string } }).datasource?.uid !== ref)
        add(`does not use the datasource variable ${ref}`, title);
    }
    for (const q of dashboardQueries(d)) {
      if (/\b(i?rate)\([^)]*\[(?!\$__rate_interval\])/.test(q.expr))
        add(`query ${q.refId}: rate() without $__rate_interval`, q.panel);
      for (const name of metricNames(q.expr).filter((n) => !known.has(n)))
        add(
          `query ${q.refId}: '${name}' is not a metric the service exports or a rule records`,
          q.panel,
        );
    }
  }
  return findings;
}
