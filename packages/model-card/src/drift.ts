import type { Static } from '@sinclair/typebox';
import type { ColumnProfile, DriftThresholdsSchema, ReferenceProfile } from './schema.ts';

/** Warning and failure thresholds for drift, from params.yaml `validate.drift`. */
export type DriftThresholds = Static<typeof DriftThresholdsSchema>;

/** Index of the bin that holds `value`: the first edge it does not exceed. */
export function binIndex(edges: readonly number[], value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Drift of one column against its reference. */
export interface ColumnDrift {
  column: string;
  kind: 'numeric' | 'categorical';
  /** PSI for numeric columns; the largest absolute change in a category's share for categorical ones. */
  value: number;
  metric: 'psi' | 'max_share_shift';
  status: 'pass' | 'warn' | 'fail';
  reference_shares: number[];
  current_shares: number[];
  /** Bin edges (numeric) or categories (categorical), for the report's table. */
  bins: (number | string)[];
}

/** Shares below this are floored so that an empty bin does not make PSI infinite. */
const SHARE_FLOOR = 1e-4;

/**
 * Population Stability Index: sum over bins of (a - e) * ln(a / e), where e
 * is the reference share and a the current one. Below 0.1 is usually read as
 * stable, above 0.25 as a significant shift.
 */
export function psi(expected: readonly number[], actual: readonly number[]): number {
  let total = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i]!, SHARE_FLOOR);
    const a = Math.max(actual[i] ?? 0, SHARE_FLOOR);
    total += (a - e) * Math.log(a / e);
  }
  return total;
}

/**
 * Counts values into a column's reference bins, one value at a time, so a
 * stream of any length needs only the counts.
 */
export class DriftCounter {
  readonly counts: Float64Array;
  total = 0;
  private readonly lookup: Map<string, number> | undefined;

  constructor(
    readonly column: string,
    readonly profile: ColumnProfile,
  ) {
    if (profile.kind === 'numeric') {
      this.counts = new Float64Array(profile.edges.length + 1);
    } else {
      // One extra slot for categories the reference never saw.
      this.counts = new Float64Array(profile.categories.length + 1);
      this.lookup = new Map(profile.categories.map((c, i) => [c, i]));
    }
  }

  /** Adds one value; nulls and non-finite values are left to the null-rate checks. */
  add(value: number | string | null): void {
    if (value === null) return;
    if (this.profile.kind === 'numeric') {
      if (typeof value !== 'number' || !Number.isFinite(value)) return;
      this.counts[binIndex(this.profile.edges, value)]!++;
    } else {
      if (typeof value !== 'string') return;
      this.counts[this.lookup!.get(value) ?? this.counts.length - 1]!++;
    }
    this.total++;
  }

  /** Current shares, one per reference bin (plus "unknown" for categories). */
  shares(): number[] {
    return Array.from(this.counts, (c) => (this.total === 0 ? 0 : c / this.total));
  }

  /** Judges the counts so far against the thresholds. */
  result(thresholds: DriftThresholds): ColumnDrift {
    const current = this.shares();
    if (this.profile.kind === 'numeric') {
      const value = psi(this.profile.shares, current);
      return {
        column: this.column,
        kind: 'numeric',
        metric: 'psi',
        value,
        status:
          value >= thresholds.psi_fail ? 'fail' : value >= thresholds.psi_warn ? 'warn' : 'pass',
        reference_shares: this.profile.shares,
        current_shares: current,
        bins: this.profile.edges,
      };
    }
    const reference = [...this.profile.shares, 0];
    const value = Math.max(...reference.map((e, i) => Math.abs(current[i]! - e)));
    return {
      column: this.column,
      kind: 'categorical',
      metric: 'max_share_shift',
      value,
      status:
        value >= thresholds.category_shift_fail
          ? 'fail'
          : value >= thresholds.category_shift_warn
            ? 'warn'
            : 'pass',
      reference_shares: reference,
      current_shares: current,
      bins: [...this.profile.categories, '(unknown)'],
    };
  }
}

/** Drift of a whole set of columns against a reference profile. */
export function createDriftCounters(
  reference: ReferenceProfile,
  columns: string[],
): DriftCounter[] {
  return columns
    .filter((c) => reference.columns[c] !== undefined)
    .map((c) => new DriftCounter(c, reference.columns[c]!));
}
