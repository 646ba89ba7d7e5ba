import type { ContractColumns } from '../contract/contract.ts';
import type { Dataset } from '../data/rows.ts';
import { ConfigurationError } from '@housing/core/errors';
import { clampColumn, filledColumn, ratioColumn, statsOf, type FeatureStats } from './finite.ts';

export type { FeatureStats } from './finite.ts';

/** A derived feature: numerator / denominator, both raw numeric columns. */
export interface RatioFeature {
  name: string;
  numerator: string;
  denominator: string;
}

/**
 * Everything the preprocessing needs, fitted on the training rows. The ONNX
 * export turns this same spec into graph nodes (Concat, IsNaN/Where, Gather,
 * Div, Max/Min, OneHotEncoder), so the service, which sends raw rows to the
 * graph, cannot diverge from training.
 *
 * The finite rule, which makes every feature finite whatever the row holds:
 * 1. a raw numeric value that is NaN (missing) or ±Infinity (in float32)
 *    becomes the column's training median;
 * 2. a ratio whose raw denominator is zero, NaN or ±Infinity becomes the
 *    ratio's training median; otherwise it is the filled numerator over the
 *    denominator;
 * 3. every raw column and ratio is then clamped to its training [min, max].
 * Training rows are inside their own range and the data has no zero or
 * missing denominator, so the rule leaves the fitted model as it was.
 */
export interface FeatureSpec {
  /** Raw numeric inputs, in order. */
  numeric: string[];
  /** Training statistics of every raw numeric column and every ratio, by name. */
  stats: Record<string, FeatureStats>;
  ratios: RatioFeature[];
  /** Categorical inputs, one-hot encoded over these categories. */
  categorical: { name: string; categories: string[] }[];
  /** Names of the engineered features, in the model's column order. */
  names: string[];
}

/** Household-level ratios: block-group totals say little until divided by size. */
export const RATIO_FEATURES: RatioFeature[] = [
  { name: 'rooms_per_household', numerator: 'total_rooms', denominator: 'households' },
  { name: 'bedrooms_per_room', numerator: 'total_bedrooms', denominator: 'total_rooms' },
  { name: 'population_per_household', numerator: 'population', denominator: 'households' },
];

/** Fits the spec on training rows: the statistics the finite rule needs, per raw column and ratio. */
export function fitFeatureSpec(
  train: Dataset,
  columns: ContractColumns,
  ratios = RATIO_FEATURES,
): FeatureSpec {
  const numeric = columns.numeric.filter((c) => c !== columns.target);
  for (const r of ratios) {
    for (const c of [r.numerator, r.denominator]) {
      if (!numeric.includes(c))
        throw new ConfigurationError(
          `ratio feature ${r.name} needs numeric column '${c}'`,
          'features',
        );
    }
  }
  const stats: Record<string, FeatureStats> = {};
  const filled = new Map<string, Float32Array>();
  for (const c of numeric) {
    const source = train.numeric[c]!;
    stats[c] = statsOf(Float32Array.from(source));
    filled.set(c, filledColumn(source, stats[c]));
  }
  for (const r of ratios) {
    // NaN marks rows whose denominator cannot give the ratio; statsOf skips them.
    const values = ratioColumn(filled.get(r.numerator)!, train.numeric[r.denominator]!, NaN);
    stats[r.name] = statsOf(values);
  }
  const categorical = columns.categorical.filter((c) => c.name !== columns.target);
  return {
    numeric,
    stats,
    ratios,
    categorical,
    names: [
      ...numeric,
      ...ratios.map((r) => r.name),
      ...categorical.flatMap((c) => c.categories.map((k) => `${c.name}=${k}`)),
    ],
  };
}

/**
 * Applies the spec in float32, exactly as onnxruntime evaluates the exported
 * graph (Math.fround after every operation), with the finite rule described
 * on {@link FeatureSpec}, and returns one Float32Array per engineered feature.
 */
export function transformFeatures(spec: FeatureSpec, data: Dataset): Float32Array[] {
  const n = data.rows;
  const stat = (name: string): FeatureStats => {
    const s = spec.stats[name];
    if (!s)
      throw new ConfigurationError(`the feature spec has no statistics for '${name}'`, 'features');
    return s;
  };
  const filled = new Map<string, Float32Array>();
  for (const c of spec.numeric) {
    const source = data.numeric[c];
    if (!source) throw new ConfigurationError(`the data has no column '${c}'`, 'features');
    filled.set(c, filledColumn(source, stat(c)));
  }
  // Ratios read the filled, unclamped values: clamping comes last, per feature.
  const ratios = spec.ratios.map((r) =>
    clampColumn(
      ratioColumn(filled.get(r.numerator)!, data.numeric[r.denominator]!, stat(r.name).median),
      stat(r.name),
    ),
  );
  const raw = spec.numeric.map((c) => clampColumn(filled.get(c)!, stat(c)));
  const onehots = spec.categorical.flatMap(({ name, categories }) => {
    const values = data.categorical[name];
    if (!values) throw new ConfigurationError(`the data has no column '${name}'`, 'features');
    return categories.map((k) => {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = values[i] === k ? 1 : 0;
      return out;
    });
  });
  return [...raw, ...ratios, ...onehots];
}
