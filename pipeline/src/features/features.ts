import type { ContractColumns } from '../contract/contract.ts';
import type { Dataset } from '../data/rows.ts';
import { quantileSorted } from '../drift/profile.ts';
import { ConfigurationError } from '../util/errors.ts';

/** A derived feature: numerator / denominator, both raw numeric columns. */
export interface RatioFeature {
  name: string;
  numerator: string;
  denominator: string;
}

/**
 * Everything the preprocessing needs, fitted on the training rows. The ONNX
 * export turns this same spec into graph nodes (Imputer, Div, OneHotEncoder,
 * Concat), so the service, which sends raw rows to the graph, cannot diverge
 * from training.
 */
export interface FeatureSpec {
  /** Raw numeric inputs, in order. */
  numeric: string[];
  /** Fill values for nullable numeric inputs (the training median, as float32). */
  impute: Record<string, number>;
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

/** Fits the spec (imputation medians) on training rows. */
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
  const impute: Record<string, number> = {};
  for (const c of numeric) {
    if (!columns.nullable.has(c)) continue;
    const present = Float64Array.from(train.numeric[c]!.filter((v) => !Number.isNaN(v))).sort();
    impute[c] = Math.fround(present.length === 0 ? 0 : quantileSorted(present, 0.5));
  }
  const categorical = columns.categorical.filter((c) => c.name !== columns.target);
  return {
    numeric,
    impute,
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
 * graph (Math.fround after every operation), and returns one Float32Array per
 * engineered feature.
 */
export function transformFeatures(spec: FeatureSpec, data: Dataset): Float32Array[] {
  const n = data.rows;
  const raw = new Map<string, Float32Array>();
  for (const c of spec.numeric) {
    const source = data.numeric[c];
    if (!source) throw new ConfigurationError(`the data has no column '${c}'`, 'features');
    const out = new Float32Array(n);
    const fill = spec.impute[c];
    for (let i = 0; i < n; i++) {
      const v = source[i]!;
      out[i] = Number.isNaN(v) && fill !== undefined ? fill : v;
    }
    raw.set(c, out);
  }
  const ratios = spec.ratios.map((r) => {
    const num = raw.get(r.numerator)!;
    const den = raw.get(r.denominator)!;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = num[i]! / den[i]!;
    return out;
  });
  const onehots = spec.categorical.flatMap(({ name, categories }) => {
    const values = data.categorical[name];
    if (!values) throw new ConfigurationError(`the data has no column '${name}'`, 'features');
    return categories.map((k) => {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = values[i] === k ? 1 : 0;
      return out;
    });
  });
  return [...spec.numeric.map((c) => raw.get(c)!), ...ratios, ...onehots];
}
