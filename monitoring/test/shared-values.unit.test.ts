/**
 * Prometheus rules cannot import a constant, so three values live twice: in
 * the rules and in the code or params.yaml they must agree with. This test
 * reads both sides, so changing one without the other fails here, naming both.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadParams, type Params } from '@housing/pipeline/params';
import { LATENCY_SLO_SECONDS } from '@housing/service/metrics';
import { ROOT } from '../src/paths.ts';
import { loadRules, type AlertRule, type RuleSet } from '../src/rules.ts';

function alert(rules: RuleSet, name: string): AlertRule {
  const found = rules.alerts.find((a) => a.alert === name);
  if (!found) throw new Error(`no alert ${name} in monitoring/prometheus/rules`);
  return found;
}

describe('values the rules share with the service and params.yaml', () => {
  let rules: RuleSet;
  let params: Params;
  beforeAll(async () => {
    rules = await loadRules();
    params = await loadParams(join(ROOT, 'params.yaml'));
  });

  it("the latency SLI's bucket is the service's LATENCY_SLO_SECONDS (service/src/metrics.ts)", () => {
    const bounds = rules.records.flatMap((r) =>
      [...r.expr.matchAll(/http_request_duration_seconds_bucket\{[^}]*\ble="([^"]+)"/g)].map(
        (m) => `${r.record} (${r.file}): le="${m[1]}"`,
      ),
    );
    // The SLI is recorded over seven windows, each reading the bucket once.
    expect(bounds.length).toBeGreaterThanOrEqual(7);
    expect(bounds.filter((b) => !b.endsWith(`le="${LATENCY_SLO_SECONDS}"`))).toEqual([]);
  });

  it("HousingFeatureDrift fires above params.yaml's validate.drift.psi_fail", () => {
    const threshold = /\)\s*>\s*([0-9.]+)\s*$/.exec(alert(rules, 'HousingFeatureDrift').expr)?.[1];
    expect(Number(threshold)).toBe(params.validate.drift.psi_fail);
  });

  it("HousingTrainingQualityBelowFloor's floors are params.yaml's gate limits", () => {
    const { expr } = alert(rules, 'HousingTrainingQualityBelowFloor');
    const floors = Object.fromEntries(
      [...expr.matchAll(/metric="([^"]+)"\}\s*([<>])\s*([0-9.e+]+)/g)].map(
        (m): [string, { op: string; value: number }] => [
          m[1] ?? '',
          { op: m[2] ?? '', value: Number(m[3]) },
        ],
      ),
    );
    const limits = Object.fromEntries(
      Object.entries(params.gate.metrics)
        .filter(([, gate]) => gate.limit !== undefined)
        .map(([metric, gate]) => [
          metric,
          // Below a floor (higher is better) or above a ceiling (lower is better) fires.
          { op: gate.better === 'higher' ? '<' : '>', value: gate.limit },
        ]),
    );
    expect(Object.keys(limits).length).toBeGreaterThan(0);
    expect(floors).toEqual(limits);
  });
});
