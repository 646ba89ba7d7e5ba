import { quantileSorted } from '../drift/profile.ts';

/**
 * Training statistics of one numeric feature (a raw column or a ratio), as
 * float32 values: what the finite rule falls back on and clamps to.
 */
export interface FeatureStats {
  /** Median of the finite training values (mean of the middle two for an even count). */
  median: number;
  /** Smallest finite training value. */
  min: number;
  /** Largest finite training value. */
  max: number;
}

/**
 * The statistics of the finite values in a column; NaN and ±Infinity are
 * skipped. A column without a finite value gets 0 for all three, so the rule
 * still has a finite fallback.
 */
export function statsOf(values: Float32Array): FeatureStats {
  const finite = Float64Array.from(values.filter(Number.isFinite)).sort();
  if (finite.length === 0) return { median: 0, min: 0, max: 0 };
  return {
    median: Math.fround(quantileSorted(finite, 0.5)),
    min: finite[0]!,
    max: finite[finite.length - 1]!,
  };
}

/**
 * A raw column as the rule sees it before clamping: each value rounded to
 * float32 (what the graph's float input holds), and NaN or ±Infinity (also a
 * double too large for float32) replaced by the training median. A missing
 * total_bedrooms is NaN, so this is also its imputation.
 */
export function filledColumn(source: Float64Array, stats: FeatureStats): Float32Array {
  const out = new Float32Array(source.length);
  for (let i = 0; i < source.length; i++) {
    const v = Math.fround(source[i]!);
    out[i] = Number.isFinite(v) ? v : stats.median;
  }
  return out;
}

/**
 * numerator / denominator in float32, or `fallback` where the denominator is
 * zero or not finite (its raw value, before filling: a denominator that was
 * NaN or ±Infinity says nothing about the ratio). The quotient of usable
 * operands can still overflow to ±Infinity; clamping bounds it.
 */
export function ratioColumn(
  numerator: Float32Array,
  rawDenominator: Float64Array,
  fallback: number,
): Float32Array {
  const out = new Float32Array(numerator.length);
  for (let i = 0; i < numerator.length; i++) {
    const d = Math.fround(rawDenominator[i]!);
    out[i] = Number.isFinite(d) && d !== 0 ? numerator[i]! / d : fallback;
  }
  return out;
}

/** Clamps a column, in place, to the training range. */
export function clampColumn(values: Float32Array, stats: FeatureStats): Float32Array {
  for (let i = 0; i < values.length; i++)
    values[i] = Math.min(stats.max, Math.max(stats.min, values[i]!));
  return values;
}
