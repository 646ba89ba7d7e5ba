import { describe, expect, it } from 'vitest';
import type { Dataset } from '../src/data/rows.ts';
import { loadContract } from '../src/contract/contract.ts';
import { loadDataset } from '../src/data/rows.ts';
import { splitRows, type Split } from '../src/data/split.ts';
import { CONTRACT, HOUSING_CSV } from './helpers.ts';

/** Rows `from`..`to` of a dataset (or the rows at `order`), as a dataset of their own. */
function rowsOf(data: Dataset, order: ArrayLike<number>): Dataset {
  const pick = Array.from(order);
  return {
    rows: pick.length,
    numeric: Object.fromEntries(
      Object.entries(data.numeric).map(([c, v]) => [c, Float64Array.from(pick, (i) => v[i]!)]),
    ),
    categorical: Object.fromEntries(
      Object.entries(data.categorical).map(([c, v]) => [c, pick.map((i) => v[i]!)]),
    ),
    lines: Uint32Array.from(pick, (i) => data.lines[i]!),
  };
}

/** Which side each row is on: 'test' | 'validation' | 'train', by row index. */
function sides(split: Split, rows: number): string[] {
  const side = new Array<string>(rows);
  for (const name of ['train', 'validation', 'test'] as const)
    for (const i of split[name]) side[i] = name;
  return side;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('splitRows (a seeded hash of each row)', async () => {
  const data = await loadDataset(HOUSING_CSV, await loadContract(CONTRACT));
  const full = splitRows(data, 42, 0.2, 0.1);

  it('holds out about the configured shares, each row on exactly one side', () => {
    const n = data.rows;
    expect(full.train.length + full.validation.length + full.test.length).toBe(n);
    expect(new Set([...full.train, ...full.validation, ...full.test]).size).toBe(n);
    // A hash's shares are binomial: within 5 standard deviations of the exact fraction.
    const within = (count: number, p: number, of: number) =>
      Math.abs(count - p * of) < 5 * Math.sqrt(of * p * (1 - p));
    expect(within(full.test.length, 0.2, n)).toBe(true);
    expect(within(full.validation.length, 0.8 * 0.1, n)).toBe(true);
  });

  it('never moves an old row when rows are appended', () => {
    const old = rowsOf(data, range(0, 15_000));
    const before = sides(splitRows(old, 42, 0.2, 0.1), old.rows);
    const after = sides(full, data.rows).slice(0, 15_000);
    expect(after).toEqual(before);
  });

  it('does not depend on row order, and keeps identical rows together', () => {
    const reversed = range(0, data.rows).reverse();
    const again = sides(splitRows(rowsOf(data, reversed), 42, 0.2, 0.1), data.rows).reverse();
    expect(again).toEqual(sides(full, data.rows));
    const twice = rowsOf(data, [...range(0, 500), ...range(0, 500)]);
    const side = sides(splitRows(twice, 42, 0.2, 0.1), twice.rows);
    expect(side.slice(500)).toEqual(side.slice(0, 500));
  });

  it('changes with the seed, and reproduces with the same seed', () => {
    expect(sides(splitRows(data, 42, 0.2, 0.1), data.rows)).toEqual(sides(full, data.rows));
    const other = sides(splitRows(data, 7, 0.2, 0.1), data.rows);
    const moved = other.filter((s, i) => s !== sides(full, data.rows)[i]).length;
    expect(moved).toBeGreaterThan(data.rows * 0.2);
  });

  it('treats every NaN alike and -0 as 0', () => {
    const one = rowsOf(data, [0, 0]);
    one.numeric.total_bedrooms![0] = NaN;
    one.numeric.total_bedrooms![1] = new Float64Array(new Uint32Array([1, 0x7ff80000]).buffer)[0]!;
    one.numeric.housing_median_age![0] = 0;
    one.numeric.housing_median_age![1] = -0;
    const side = sides(splitRows(one, 42, 0.5, 0.5), 2);
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const s = sides(splitRows(one, seed, 0.5, 0.5), 2);
      expect(s[1]).toBe(s[0]);
    }
    expect(side[1]).toBe(side[0]);
  });
});
