/**
 * Reference profiles: how each column was distributed in the data a model was
 * trained on. Validation compares new data against them, and the service
 * compares recent requests against the copy in the model card. Their types are
 * the card's (`@housing/model-card/schema`); this file builds them.
 */
import { binIndex } from '@housing/model-card/drift';
import type { CategoricalProfile, NumericProfile } from '@housing/model-card/schema';

const QUANTILE_POINTS = [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1];

/** The q-quantile of sorted values (linear interpolation, as numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Profiles a numeric column on `bins` quantile bins (fewer when values tie). */
export function profileNumeric(values: ArrayLike<number>, bins: number): NumericProfile {
  const present: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) present.push(values[i]!);
  const sorted = Float64Array.from(present).sort();
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    // Edges are observed values, so ties (a capped column, say) collapse into one bin.
    const edge = sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * k) / bins))]!;
    if (
      sorted.length > 0 &&
      edge < sorted[sorted.length - 1]! &&
      (edges.length === 0 || edge > edges[edges.length - 1]!)
    ) {
      edges.push(edge);
    }
  }
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of sorted) counts[binIndex(edges, v)]!++;
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    kind: 'numeric',
    edges,
    shares: counts.map((c) => (sorted.length === 0 ? 0 : c / sorted.length)),
    quantiles: Object.fromEntries(
      QUANTILE_POINTS.map((q) => [String(q), quantileSorted(sorted, q)]),
    ),
    mean: sorted.length === 0 ? NaN : sum / sorted.length,
    null_rate: values.length === 0 ? 0 : (values.length - sorted.length) / values.length,
  };
}

/** Profiles a categorical column over its known categories. */
export function profileCategorical(
  values: readonly (string | null)[],
  categories: string[],
): CategoricalProfile {
  const counts = new Map(categories.map((c) => [c, 0]));
  let present = 0;
  for (const v of values) {
    if (v === null) continue;
    present++;
    if (counts.has(v)) counts.set(v, counts.get(v)! + 1);
  }
  return {
    kind: 'categorical',
    categories,
    shares: categories.map((c) => (present === 0 ? 0 : counts.get(c)! / present)),
    null_rate: values.length === 0 ? 0 : (values.length - present) / values.length,
  };
}
