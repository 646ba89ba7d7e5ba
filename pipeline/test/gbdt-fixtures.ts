/**
 * What the GBDT's thread tests share: small hyperparameters and data shaped
 * like the engineered features (continuous columns and a one-hot).
 */
import type { GbdtParams } from '../src/models/gbdt/gbdt.ts';
import { createRng } from '../src/util/rng.ts';

/** Hyperparameters small enough for a test, with no depth limit. */
export const PARAMS: GbdtParams = {
  learning_rate: 0.3,
  max_rounds: 15,
  max_leaves: 16,
  max_depth: 0,
  min_samples_leaf: 5,
  l2: 1,
  max_bins: 255,
  early_stopping_rounds: 5,
  min_gain: 1e-9,
};
export const noValidation = { x: [new Float32Array(0)], y: new Float64Array(0) };

/** Six continuous columns and a four-way one-hot, as the engineered features have. */
export function data(n: number, seed: number) {
  const rng = createRng(seed);
  const continuous = Array.from({ length: 6 }, () =>
    Float32Array.from({ length: n }, () => rng() * 100),
  );
  const category = Array.from({ length: n }, () => Math.floor(rng() * 4));
  const onehot = [0, 1, 2, 3].map((c) => Float32Array.from(category, (v) => (v === c ? 1 : 0)));
  const y = Float64Array.from(
    { length: n },
    (_, i) => continuous[0]![i]! * 3 + Math.sin(continuous[1]![i]! / 9) * 50 + category[i]! * 40,
  );
  return { x: [...continuous, ...onehot], y, category };
}
