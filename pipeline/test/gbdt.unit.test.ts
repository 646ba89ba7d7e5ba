import { describe, expect, it } from 'vitest';
import { applyBins, fitBins } from '../src/models/gbdt/binning.ts';
import { fitGbdt, predictGbdt, rmse, type GbdtParams } from '../src/models/gbdt/gbdt.ts';
import { createRng } from '../src/util/rng.ts';

const PARAMS: GbdtParams = {
  learning_rate: 1,
  max_rounds: 1,
  max_leaves: 2,
  max_depth: 0,
  min_samples_leaf: 1,
  l2: 0,
  max_bins: 255,
  early_stopping_rounds: 5,
  min_gain: 1e-9,
};
const f32 = (values: number[]) => Float32Array.from(values);
const noValidation = { x: [new Float32Array(0)], y: new Float64Array(0) };

describe('binning', () => {
  it('uses observed values as edges, one bin per distinct value when they fit', () => {
    const [edges] = fitBins([f32([3, 1, 2, 2, 3])], 255);
    expect(Array.from(edges!)).toEqual([1, 2]);
    expect(Array.from(applyBins([f32([1, 2, 3, 0.5, 9])], [edges!])[0]!)).toEqual([0, 1, 2, 0, 2]);
  });

  it('caps the number of bins with quantile edges', () => {
    const values = f32(Array.from({ length: 1000 }, (_, i) => i));
    const [edges] = fitBins([values], 10);
    expect(edges!.length).toBe(9);
    expect(Array.from(edges!)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });
});

describe('fitGbdt', () => {
  it('finds the exact stump of a step function', () => {
    const x = [f32([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])];
    const y = Float64Array.from([0, 0, 0, 10, 10, 10]);
    const { model } = fitGbdt(x, y, noValidation, PARAMS);
    expect(model.base).toBe(5);
    const tree = model.trees[0]!;
    expect(tree.threshold[0]).toBe(Math.fround(0.3));
    expect(tree.value.slice(1)).toEqual([-5, 5]);
    expect(Array.from(predictGbdt(model, x))).toEqual([0, 0, 0, 10, 10, 10]);
  });

  it('shrinks leaves by the learning rate and by L2: value = -G / (H + λ) · η', () => {
    const x = [f32([0, 0, 1, 1])];
    const y = Float64Array.from([0, 0, 4, 4]); // base 2; gradients -2 on the right, +2 on the left
    const { model } = fitGbdt(x, y, noValidation, { ...PARAMS, learning_rate: 0.5, l2: 2 });
    // Right leaf: G = -4, H = 2 -> -(-4) / (2 + 2) * 0.5 = 0.5
    expect(model.trees[0]!.value.slice(1)).toEqual([-0.5, 0.5]);
  });

  it('respects min_samples_leaf, max_leaves and max_depth', () => {
    const rng = createRng(1);
    const n = 500;
    const x = [
      f32(Array.from({ length: n }, () => rng())),
      f32(Array.from({ length: n }, () => rng())),
    ];
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(6 * x[0]![i]!) + x[1]![i]!);
    const { model } = fitGbdt(x, y, noValidation, {
      ...PARAMS,
      max_rounds: 5,
      max_leaves: 8,
      min_samples_leaf: 40,
      learning_rate: 0.3,
    });
    for (const tree of model.trees) {
      const leaves = tree.left.filter((l) => l < 0).length;
      expect(leaves).toBeLessThanOrEqual(8);
      const counts = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        let node = 0;
        while (tree.left[node]! >= 0)
          node =
            x[tree.feature[node]!]![i]! <= tree.threshold[node]!
              ? tree.left[node]!
              : tree.right[node]!;
        counts.set(node, (counts.get(node) ?? 0) + 1);
      }
      expect(Math.min(...counts.values())).toBeGreaterThanOrEqual(40);
    }
    const shallow = fitGbdt(x, y, noValidation, {
      ...PARAMS,
      max_rounds: 3,
      max_leaves: 64,
      max_depth: 2,
    });
    for (const tree of shallow.model.trees)
      expect(tree.left.filter((l) => l < 0).length).toBeLessThanOrEqual(4);
  });

  it('learns an additive function of two features to a small error', () => {
    const rng = createRng(7);
    const n = 2000;
    // Values on a grid of 16, so every step boundary falls between bins.
    const a = f32(Array.from({ length: n }, () => Math.floor(rng() * 16) / 4));
    const b = f32(Array.from({ length: n }, () => Math.floor(rng() * 16) / 4));
    const y = Float64Array.from(
      { length: n },
      (_, i) => 3 * Math.floor(a[i]!) + (b[i]! > 2 ? 5 : 0),
    );
    const { model } = fitGbdt([a, b], y, noValidation, {
      ...PARAMS,
      max_rounds: 60,
      max_leaves: 8,
      learning_rate: 0.5,
    });
    expect(rmse(predictGbdt(model, [a, b]), y)).toBeLessThan(0.01);
  });

  it('stops early and keeps the best validation round', () => {
    const rng = createRng(3);
    const n = 400;
    const x = [f32(Array.from({ length: n }, () => rng()))];
    const y = Float64Array.from({ length: n }, () => rng()); // pure noise: validation only gets worse
    const xv = [f32(Array.from({ length: 200 }, () => rng()))];
    const yv = Float64Array.from({ length: 200 }, () => rng());
    const fit = fitGbdt(
      x,
      y,
      { x: xv, y: yv },
      { ...PARAMS, max_rounds: 200, max_leaves: 16, learning_rate: 0.5, early_stopping_rounds: 5 },
    );
    expect(fit.history.length).toBe(fit.best_round + 5);
    expect(fit.model.trees.length).toBe(fit.best_round);
    const best = Math.min(...fit.history.map((h) => h.validation_rmse));
    expect(fit.history[fit.best_round - 1]!.validation_rmse).toBe(best);
  });

  it('is deterministic: the same data gives the same trees', () => {
    const rng = createRng(11);
    const x = [
      f32(Array.from({ length: 300 }, () => rng())),
      f32(Array.from({ length: 300 }, () => rng())),
    ];
    const y = Float64Array.from({ length: 300 }, (_, i) => x[0]![i]! * 10 + x[1]![i]!);
    const params = { ...PARAMS, max_rounds: 20, max_leaves: 8, learning_rate: 0.3 };
    expect(JSON.stringify(fitGbdt(x, y, noValidation, params).model)).toBe(
      JSON.stringify(fitGbdt(x, y, noValidation, params).model),
    );
  });
});
