import type { MetricGate } from '../params/params.ts';
import { ConfigurationError, listSome } from '@housing/core/errors';

/** One metric's verdict. */
export interface GateRow {
  metric: string;
  better: 'lower' | 'higher';
  candidate: number;
  baseline: number | null;
  /** candidate - baseline. */
  delta: number | null;
  /** The worst value the baseline tolerance allows, or null without a baseline. */
  allowed: number | null;
  limit: number | null;
  passed: boolean;
  reason: string;
}

/** The gate's verdict over all metrics. */
export interface GateResult {
  passed: boolean;
  baseline: string | null;
  rows: GateRow[];
}

/**
 * Compares a candidate's metrics with the baseline's. A metric fails when it
 * is worse than the baseline by more than max(relative × |baseline|,
 * absolute), or when it crosses its absolute limit (a ceiling when lower is
 * better, a floor when higher is). Without a baseline only the limits apply.
 */
export function evaluateGate(
  candidate: Record<string, number>,
  baseline: Record<string, number> | undefined,
  gates: Record<string, MetricGate>,
  baselineName: string | null = null,
): GateResult {
  const rows = Object.entries(gates).map(([metric, gate]): GateRow => {
    const value = candidate[metric];
    if (value === undefined) {
      throw new ConfigurationError(
        `gate.metrics.${metric}: the candidate has no metric '${metric}' (has ${Object.keys(candidate).join(', ')})`,
        'params.yaml',
      );
    }
    const sign = gate.better === 'lower' ? 1 : -1;
    const base = baseline?.[metric];
    // A baseline that is given but cannot be compared with must not turn into
    // "no baseline": that would pass a regression against production.
    if (baseline !== undefined && !Number.isFinite(base)) {
      throw new ConfigurationError(
        `the baseline has no usable metric '${metric}' (${base === undefined ? 'absent or not a number' : String(base)}); it has ${listSome(Object.keys(baseline)) || 'no numeric metrics'}`,
        baselineName ?? 'the baseline',
      );
    }
    const reasons: string[] = [];
    let allowed: number | null = null;
    if (base !== undefined) {
      const tolerance = Math.max(
        (gate.tolerance_relative ?? 0) * Math.abs(base),
        gate.tolerance_absolute ?? 0,
      );
      allowed = base + sign * tolerance;
      if (sign * (value - allowed) > 0)
        reasons.push(`worse than baseline ${fmt(base)} by more than ${fmt(tolerance)}`);
    }
    if (gate.limit !== undefined && sign * (value - gate.limit) > 0) {
      reasons.push(
        `${gate.better === 'lower' ? 'above the ceiling' : 'below the floor'} ${fmt(gate.limit)}`,
      );
    }
    return {
      metric,
      better: gate.better,
      candidate: value,
      baseline: base ?? null,
      delta: base === undefined ? null : value - base,
      allowed,
      limit: gate.limit ?? null,
      passed: reasons.length === 0,
      reason:
        reasons.length === 0
          ? base === undefined
            ? 'no baseline; within limit'
            : 'ok'
          : reasons.join('; '),
    };
  });
  return { passed: rows.every((r) => r.passed), baseline: baselineName, rows };
}

function fmt(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(4);
}

/**
 * The side-by-side table's header and cells, for the text table and the
 * Markdown one; `names` label the two value columns (`production gbdt-…`).
 */
export function gateTableCells(
  result: GateResult,
  names: { baseline: string; candidate: string } = { baseline: 'baseline', candidate: 'candidate' },
): { header: string[]; body: string[][] } {
  const header = ['metric', names.baseline, names.candidate, 'delta', 'allowed', 'limit', 'result'];
  const body = result.rows.map((r) => [
    `${r.metric} (${r.better === 'lower' ? '↓' : '↑'})`,
    r.baseline === null ? '-' : fmt(r.baseline),
    fmt(r.candidate),
    r.delta === null ? '-' : `${r.delta >= 0 ? '+' : ''}${fmt(r.delta)}`,
    r.allowed === null ? '-' : fmt(r.allowed),
    r.limit === null ? '-' : fmt(r.limit),
    r.passed ? 'pass' : `FAIL: ${r.reason}`,
  ]);
  return { header, body };
}

/** The side-by-side table, as fixed-width text. */
export function formatGateTable(result: GateResult): string {
  const { header, body } = gateTableCells(result);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    `Gate against ${result.baseline ?? 'no baseline (first model: absolute limits only)'}: ${result.passed ? 'PASSED' : 'FAILED'}`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ].join('\n');
}
