/**
 * The live-accuracy rules (issue 17): the alert's factor and minimum count are
 * configured in its rule, and everything that states them (the alert's own
 * description, its runbook section, the dashboard's threshold line) must
 * agree with the rule. The recording rules must keep restarts, replicas and
 * windows without feedback from bending the numbers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '@housing/core/errors';
import { readTextFile } from '@housing/core/read-text';
import { dashboardQueries, loadDashboards } from '../src/dashboards.ts';
import {
  LIVE_RMSE_ALERT,
  liveRmseThresholds,
  type LiveRmseThresholds,
} from '../src/live-accuracy.ts';
import { RUNBOOK } from '../src/paths.ts';
import { loadRules, type RuleSet } from '../src/rules.ts';

const LIVE_METRICS = /\b(model_feedback_\w+|model_predictions_total)\b/;

/** The text of the runbook's section for one alert. */
function section(runbook: string, heading: string): string {
  const start = runbook.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`RUNBOOK.md has no section ${heading}`);
  const end = runbook.indexOf('\n## ', start + 1);
  return runbook.slice(start, end < 0 ? undefined : end);
}

describe(`${LIVE_RMSE_ALERT}: configured in its rule, stated the same everywhere`, () => {
  let rules: RuleSet;
  let thresholds: LiveRmseThresholds;
  beforeAll(async () => {
    rules = await loadRules();
    thresholds = liveRmseThresholds(rules);
  });

  it('reads the factor, the minimum count, the window and the duration from the rule', () => {
    expect(thresholds.factor).toBeGreaterThan(1);
    expect(thresholds.minLabelled).toBeGreaterThanOrEqual(30);
    expect(thresholds.window).toBe('1h');
    expect(thresholds.for).toMatch(/^\d+m$/);
  });

  it('asks for a retrain, as a warning', () => {
    const rule = rules.alerts.find((a) => a.alert === LIVE_RMSE_ALERT)!;
    expect(rule.labels).toEqual({ severity: 'warning', retrain: 'true' });
  });

  it("the alert's description and its runbook section state the rule's numbers", async () => {
    const rule = rules.alerts.find((a) => a.alert === LIVE_RMSE_ALERT)!;
    const minutes = Number.parseInt(thresholds.for, 10);
    const description = rule.annotations.description ?? '';
    expect(description).toContain(`above ${thresholds.factor},`);
    expect(description).toContain(`at least ${thresholds.minLabelled} labelled predictions`);
    expect(description).toContain(`for ${minutes} minutes`);
    const text = section(await readTextFile(RUNBOOK, { what: 'runbook' }), LIVE_RMSE_ALERT);
    expect(text).toContain(`more than ${thresholds.factor} times`);
    expect(text).toContain(`at least ${thresholds.minLabelled} labelled predictions`);
    expect(text).toContain(`for ${minutes} minutes`);
  });

  it("the model dashboard draws the alert's line at the rule's factor", async () => {
    const lines = (await loadDashboards())
      .flatMap(dashboardQueries)
      .filter((q) => q.expr.includes('job_model_version:model_card_rmse:max'))
      .map((q) => /^([0-9.]+)\s*\*/.exec(q.expr)?.[1])
      .filter((factor) => factor !== undefined);
    expect(lines).toEqual([String(thresholds.factor)]);
  });

  it('refuses a rule of another shape, naming its file', () => {
    const changed = structuredClone(rules);
    const rule = changed.alerts.find((a) => a.alert === LIVE_RMSE_ALERT)!;
    rule.expr = rule.expr.replace(/>=\s*\d+/, '> 0');
    expect(() => liveRmseThresholds(changed)).toThrow(ConfigurationError);
    expect(() => liveRmseThresholds(changed)).toThrow(
      /model-alerts\.yml: HousingModelLiveRmseHigh/,
    );
    expect(() => liveRmseThresholds({ ...changed, alerts: [] })).toThrow(/no alert/);
  });
});

describe('live-accuracy recording rules', () => {
  let live: RuleSet['records'];
  beforeAll(async () => {
    live = (await loadRules()).records.filter((r) => LIVE_METRICS.test(r.expr));
  });

  it('records RMSE, MAE, label coverage and the counts per model version over an hour and a day', () => {
    const names = live.map((r) => r.record).sort();
    const expected = ['1h', '1d'].flatMap((w) => [
      `job_model_version:model_feedback:increase${w}`,
      `job_model_version:model_label_coverage:ratio_increase${w}`,
      `job_model_version:model_live_mae:ratio_increase${w}`,
      `job_model_version:model_live_rmse:ratio_increase${w}`,
      `job_model_version:model_predictions:increase${w}`,
    ]);
    expect(names).toEqual(expected.sort());
  });

  it('sums increase() across instances, so restarts and replicas do not reset them', () => {
    const problems = live.flatMap((r) => {
      const increases = [...r.expr.matchAll(/increase\(/g)].length;
      const summed = [
        ...r.expr.matchAll(
          /sum by \(job, model_version\) \(increase\(\w+\{job="housing-service"\}\[1[hd]\]\)\)/g,
        ),
      ].length;
      return increases > 0 && increases === summed ? [] : [`${r.record}: ${r.expr}`];
    });
    expect(problems).toEqual([]);
  });

  it('divides only by a count guarded with > 0, so no feedback gives no series, never NaN or Inf', () => {
    const ratios = live.filter((r) => r.record.includes(':ratio_'));
    expect(ratios).toHaveLength(6);
    for (const r of ratios) expect(r.expr, r.record).toMatch(/\/\s*\(sum by [^/]*\)\) > 0\)/);
  });
});
