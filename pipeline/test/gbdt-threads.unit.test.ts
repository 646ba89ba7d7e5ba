import { describe, expect, it } from 'vitest';
import { applyBins, fitBins } from '../src/models/gbdt/binning.ts';
import { expandBundles, findBundles } from '../src/models/gbdt/bundles.ts';
import { fitGbdt, predictGbdt, rmse } from '../src/models/gbdt/gbdt.ts';
import { PARAMS, data, noValidation } from './gbdt-fixtures.ts';

describe('fitGbdt on several threads', () => {
  it('gives the same model bytes on one, two and three threads', () => {
    const { x, y } = data(3000, 21);
    const one = fitGbdt(x, y, noValidation, PARAMS);
    const two = fitGbdt(x, y, noValidation, PARAMS, undefined, { threads: 2 });
    const three = fitGbdt(x, y, noValidation, PARAMS, undefined, { threads: 3 });
    expect(one.model.trees).toHaveLength(15);
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
    expect(JSON.stringify(three)).toBe(JSON.stringify(one));
    // The one-hot columns are used: the category moves the target most after column 0.
    expect(one.gain_by_feature.slice(6).some((g) => g > 0)).toBe(true);
    expect(rmse(predictGbdt(one.model, x), y)).toBeLessThan(
      rmse(new Float64Array(3000).fill(y.reduce((s, v) => s + v) / 3000), y) / 3,
    );
  });
});

describe('exclusive feature bundling', () => {
  it('bundles two-bin columns that never meet, and leaves one that meets them alone', () => {
    const { x, category } = data(500, 4);
    // Column 10 is "category 0 or 1": it meets both of their one-hot columns.
    const overlapping = Float32Array.from(category, (v) => (v <= 1 ? 1 : 0));
    const columns = [...x, overlapping];
    const edges = fitBins(columns, 255);
    const bins = applyBins(columns, edges);
    const bundles = findBundles(bins, [6, 7, 8, 9, 10]);
    expect(bundles.map((b) => Array.from(b.members))).toEqual([[6, 7, 8, 9]]);
    expect(Array.from(bundles[0]!.column)).toEqual(category.map((v) => v + 1));
  });

  it('expands a bundle into each member’s two bins, the lower one from the node’s totals', () => {
    const grads = [1.5, -2, 4, 0.25, -1];
    const codes = Uint8Array.from([1, 0, 2, 1, 0]); // members 0 and 1 in slots 1 and 2
    const offsets = Int32Array.from([0, 2]);
    const bases = Int32Array.from([4]);
    const hist = new Float64Array(7 * 2);
    codes.forEach((code, i) => {
      hist[(4 + code) * 2]! += grads[i]!;
      hist[(4 + code) * 2 + 1]! += 1;
    });
    const total = grads.reduce((s, v) => s + v);
    const bundle = { members: Int32Array.from([0, 1]), column: codes };
    expandBundles([bundle], bases, offsets, hist, total, 5);
    // Member 0: rows 0 and 3 upper; member 1: row 2 upper.
    expect(Array.from(hist.subarray(0, 8))).toEqual([total - 1.75, 3, 1.75, 2, total - 4, 4, 4, 1]);
  });
});
