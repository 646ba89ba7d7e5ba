import { beforeAll, describe, expect, it } from 'vitest';
import { serviceSeriesNames } from '@housing/service/metric-names';
import { lintDashboards } from '../src/dashboard-lint.ts';
import { loadDashboards, metricNames, type Dashboard } from '../src/dashboards.ts';
import { loadRules } from '../src/rules.ts';

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

  it('passes the dashboard lint: datasource variable, title, description, unit, $__rate_interval, known metrics', async () => {
    const known = await serviceSeriesNames();
    for (const r of (await loadRules()).records) known.add(r.record);
    expect(lintDashboards(dashboards, known)).toEqual([]);
  });

  it('the lint catches each kind of mistake', () => {
    const broken = structuredClone(dashboards[0]!);
    const panel = broken.panels![0]!;
    delete panel.description;
    panel.fieldConfig = {};
    panel.targets = [{ refId: 'A', expr: 'rate(no_such_metric_total[5m])' }];
    const messages = lintDashboards([broken, broken], new Set()).map((f) => f.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^uid '.*' is also used by/),
        'has no description',
        'has no unit',
        'query A: rate() without $__rate_interval',
        "query A: 'no_such_metric_total' is not a metric the service exports or a rule records",
      ]),
    );
  });
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
