import { describe, expect, it } from 'vitest';
import { evaluateGate, formatGateTable } from '../src/gate/gate.ts';
import type { MetricGate } from '../src/params/params.ts';

const GATES: Record<string, MetricGate> = {
  rmse: { better: 'lower', tolerance_relative: 0.02, tolerance_absolute: 0, limit: 50000 },
  r2: { better: 'higher', tolerance_absolute: 0.01, limit: 0.8 },
};
const BASELINE = { rmse: 45000, r2: 0.85 };

describe('evaluateGate', () => {
  it('passes a better candidate', () => {
    const result = evaluateGate({ rmse: 44000, r2: 0.86 }, BASELINE, GATES, 'prod');
    expect(result.passed).toBe(true);
    expect(result.rows.map((r) => r.delta)).toEqual([-1000, expect.closeTo(0.01, 10)]);
  });

  it('passes a regression inside the relative tolerance, at its boundary', () => {
    expect(evaluateGate({ rmse: 45900, r2: 0.85 }, BASELINE, GATES).passed).toBe(true);
  });

  it('fails a regression just past the relative tolerance', () => {
    const result = evaluateGate({ rmse: 45901, r2: 0.85 }, BASELINE, GATES);
    expect(result.passed).toBe(false);
    expect(result.rows[0]!.reason).toBe('worse than baseline 45000 by more than 900');
  });

  it('uses the larger of the relative and absolute tolerances', () => {
    const gates = {
      rmse: { better: 'lower' as const, tolerance_relative: 0.01, tolerance_absolute: 2000 },
    };
    expect(evaluateGate({ rmse: 47000 }, BASELINE, gates).passed).toBe(true);
    expect(evaluateGate({ rmse: 47001 }, BASELINE, gates).passed).toBe(false);
  });

  it('fails a metric below its absolute floor even when the baseline is worse', () => {
    const result = evaluateGate({ rmse: 40000, r2: 0.79 }, { rmse: 60000, r2: 0.7 }, GATES);
    expect(result.passed).toBe(false);
    expect(result.rows[1]!.reason).toBe('below the floor 0.8000');
  });

  it('applies only the limits without a baseline', () => {
    expect(evaluateGate({ rmse: 49000, r2: 0.81 }, undefined, GATES).passed).toBe(true);
    const result = evaluateGate({ rmse: 51000, r2: 0.81 }, undefined, GATES);
    expect(result.rows[0]!.reason).toBe('above the ceiling 50000');
  });

  it('prints a side-by-side table', () => {
    const table = formatGateTable(
      evaluateGate({ rmse: 46000, r2: 0.86 }, BASELINE, GATES, 'prod.json'),
    );
    expect(table).toContain('Gate against prod.json: FAILED');
    expect(table).toMatch(/rmse \(↓\)\s+45000\s+46000\s+\+1000\s+45900\s+50000\s+FAIL/);
  });

  it('names a gated metric the candidate lacks', () => {
    expect(() => evaluateGate({ rmse: 1 }, undefined, GATES)).toThrow(
      "gate.metrics.r2: the candidate has no metric 'r2'",
    );
  });
});

describe('evaluateGate with a baseline that cannot be compared with', () => {
  it('refuses a missing or non-finite baseline metric, naming it', () => {
    for (const rmse of [undefined, Infinity, -Infinity, NaN]) {
      const baseline: Record<string, number> = { r2: 0.85 };
      if (rmse !== undefined) baseline.rmse = rmse;
      expect(() => evaluateGate({ rmse: 49000, r2: 0.85 }, baseline, GATES, 'prod.json')).toThrow(
        /prod\.json: .*rmse/,
      );
    }
  });
});
