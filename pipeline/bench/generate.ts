/**
 * Large datasets for the fit benchmark, from the real one: rows are drawn
 * with replacement and every numeric value gets a small seeded jitter, kept
 * inside the contract's range, so that anyone can rebuild the same N rows and
 * the GBDT sees many distinct values (no two resampled copies bin alike by
 * construction) while the relationships in the data stay those of the
 * housing rows.
 */
import { createWriteStream } from 'node:fs';
import type { CompiledContract } from '../src/contract/contract.ts';
import type { Dataset } from '../src/data/rows.ts';
import { createRng } from '../src/util/rng.ts';

/** Relative jitter: each value moves by up to ±1% of itself. */
const RELATIVE_JITTER = 0.01;

/**
 * `rows` rows resampled from `source` with jitter, deterministic for a seed.
 * Missing values stay missing; a column whose source values are all whole
 * numbers (counts, ages) stays whole; every value is clamped to the contract's
 * minimum/maximum (and kept above an exclusive minimum).
 */
export function generateRows(
  source: Dataset,
  compiled: CompiledContract,
  rows: number,
  seed: number,
): Dataset {
  const rng = createRng(seed);
  const { columns, contract } = compiled;
  const pick = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) pick[i] = Math.floor(rng() * source.rows);
  const numeric: Record<string, Float64Array> = {};
  for (const name of columns.numeric) {
    const from = source.numeric[name]!;
    const schema = contract.row.properties[name]!;
    const lo = schema.minimum ?? schema.exclusiveMinimum ?? -Infinity;
    const hi = schema.maximum ?? Infinity;
    const whole = from.every((v) => Number.isNaN(v) || Number.isInteger(v));
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      const v = from[pick[i]!]!;
      if (Number.isNaN(v)) {
        out[i] = NaN;
        continue;
      }
      let j = v * (1 + RELATIVE_JITTER * (2 * rng() - 1));
      if (whole) j = Math.round(j);
      j = Math.min(hi, Math.max(lo, j));
      // An exclusive minimum admits anything above it: keep the source value there.
      if (schema.exclusiveMinimum !== undefined && j <= schema.exclusiveMinimum) j = v;
      out[i] = j;
    }
    numeric[name] = out;
  }
  const categorical: Record<string, string[]> = {};
  for (const { name } of columns.categorical) {
    const from = source.categorical[name]!;
    categorical[name] = Array.from(pick, (p) => from[p]!);
  }
  const lines = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) lines[i] = i + 2;
  return { rows, numeric, categorical, lines };
}

/** Writes a dataset as CSV in the contract's column order (missing values as blank cells). */
export async function writeDatasetCsv(
  data: Dataset,
  compiled: CompiledContract,
  path: string,
): Promise<void> {
  const { all, numeric } = compiled.columns;
  const out = createWriteStream(path);
  const done = new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.once('finish', resolve);
  });
  const cell = all.map((name) =>
    numeric.includes(name)
      ? (i: number) => {
          const v = data.numeric[name]![i]!;
          return Number.isNaN(v) ? '' : String(Number(v.toPrecision(9)));
        }
      : (i: number) => {
          const v = data.categorical[name]![i]!;
          return v.includes(',') ? `"${v}"` : v;
        },
  );
  out.write(`${all.join(',')}\n`);
  let chunk = '';
  for (let i = 0; i < data.rows; i++) {
    chunk += `${cell.map((c) => c(i)).join(',')}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
      chunk = '';
    }
  }
  out.end(chunk);
  await done;
}
