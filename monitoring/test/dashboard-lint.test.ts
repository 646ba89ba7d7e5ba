import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../service/src/metrics.ts';
import {
  allPanels,
  concreteQuery,
  dashboardQueries,
  loadDashboards,
  metricNames,
  type Dashboard,
} from '../src/dashboards.ts';
import { loadRules } from '../src/rules.ts';
import { missing, run } from './helpers.ts';

/** Every series name the service's registry exports, histograms expanded. */
async function serviceSeriesNames(): Promise<Set<string>> {
  const { registry } = createMetrics();
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
  }
  return names;
}

describe('dashboard lint', () => {
  let dashboards: Dashboard[];
  beforeAll(async () => {
    dashboards = await loadDashboards();
  });

  it('has the three dashboards, with unique uids and a schemaVersion', () => {
    expect(dashboards.map((d) => d.uid).sort()).toEqual([
      'housing-model',
      'housing-runtime',
      'housing-service-overview',
    ]);
    for (const d of dashboards) expect(d.schemaVersion, d.file).toBeGreaterThan(30);
  });

  it('gives every dashboard a Prometheus datasource variable that every panel uses', () => {
    const problems = dashboards.flatMap((d) => {
      const variable = d.templating?.list?.find((v) => v.type === 'datasource');
      if (variable?.query !== 'prometheus') return [`${d.file}: no prometheus datasource variable`];
      const ref = `\${${variable.name}}`;
      return allPanels(d)
        .filter((p) => p.type !== 'row')
        .filter((p) => (p as { datasource?: { uid?: string } }).datasource?.uid !== ref)
        .map((p) => `${d.file}: panel "${p.title}" does not use ${ref}`);
    });
    expect(problems).toEqual([]);
  });

  it('gives every panel a title, a description and a unit', () => {
    const problems = dashboards.flatMap((d) =>
      allPanels(d)
        .filter((p) => p.type !== 'row')
        .flatMap((p) => [
          ...(p.title?.trim() ? [] : [`${d.file}: panel ${p.id}: no title`]),
          ...(p.description?.trim() ? [] : [`${d.file}: "${p.title}": no description`]),
          ...(p.fieldConfig?.defaults?.unit ? [] : [`${d.file}: "${p.title}": no unit`]),
        ]),
    );
    expect(problems).toEqual([]);
  });

  it('uses $__rate_interval in every rate()', () => {
    const fixed = dashboards
      .flatMap(dashboardQueries)
      .filter((q) => /\b(i?rate)\([^)]*\[(?!\$__rate_interval\])/.test(q.expr));
    expect(fixed.map((q) => `${q.dashboard} "${q.panel}": ${q.expr}`)).toEqual([]);
  });

  it('only queries metrics the service exports or the recording rules record', async () => {
    const known = await serviceSeriesNames();
    for (const r of (await loadRules()).records) known.add(r.record);
    const unknown = dashboards.flatMap(dashboardQueries).flatMap((q) =>
      metricNames(q.expr)
        .filter((n) => !known.has(n))
        .map((n) => `${q.dashboard} "${q.panel}": ${n}`),
    );
    expect(unknown).toEqual([]);
  });

  it.skipIf(missing('promtool'))(
    "passes Prometheus's own parser (as recording rules under promtool check rules)",
    async () => {
      const queries = dashboards.flatMap(dashboardQueries);
      expect(queries.length).toBeGreaterThan(20);
      const dir = await mkdtemp(join(tmpdir(), 'dashboard-exprs-'));
      try {
        const file = join(dir, 'dashboards.yml');
        const rules = queries.map((q, i) => ({
          record: `dashboard_query_${i}`,
          expr: concreteQuery(q.expr),
        }));
        await writeFile(file, stringify({ groups: [{ name: 'dashboards', rules }] }));
        const { status, output } = run('promtool', ['check', 'rules', file]);
        expect(output).toContain(`SUCCESS: ${queries.length} rules found`);
        expect(status, output).toBe(0);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('metricNames', () => {
  it('keeps metric and recorded names, drops functions, labels, ranges and grouping', () => {
    expect(
      metricNames(
        'sum by (le, route) (rate(http_request_duration_seconds_bucket{route="/v1/predict", le="0.25"}[$__rate_interval])) / on (job) job:predict_requests:rate5m or vector(1e9)',
      ).sort(),
    ).toEqual(['http_request_duration_seconds_bucket', 'job:predict_requests:rate5m']);
  });
});
