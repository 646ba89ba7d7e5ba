/**
 * Per-feature bin edges: bin b holds values v with edges[b-1] < v <= edges[b].
 * Edges are observed float32 values, never midpoints, so a split "bin <= b"
 * is exactly the comparison "x <= edges[b]" that ONNX's BRANCH_LEQ makes on
 * the same float32 input.
 */
export type BinEdges = Float32Array[];

/**
 * Above this many rows, edges come from an evenly spaced sample of this many
 * rows (as scikit-learn's HistGradientBoosting takes 200,000): sorting every
 * value of every feature cost more than a few boosting rounds at 2M rows, and
 * 255 quantiles are as well placed from 200,000 values. Evenly spaced, not
 * random, so the same data always gives the same edges; smaller data sets,
 * the housing data among them, are binned on every value as before.
 */
export const BINNING_SAMPLE = 200_000;

/** Chooses up to `maxBins` bins per feature from quantiles of the training values. */
export function fitBins(x: Float32Array[], maxBins: number): BinEdges {
  return x.map((column) => {
    const sorted = sortFloat32(sample(column));
    const distinct: number[] = [];
    for (let i = 0; i < sorted.length; i++) {
      if (i === 0 || sorted[i] !== sorted[i - 1]) {
        distinct.push(sorted[i]!);
        if (distinct.length > maxBins) break; // enough to know the values need quantiles
      }
    }
    if (distinct.length <= maxBins) return Float32Array.from(distinct.slice(0, -1));
    const edges: number[] = [];
    const max = sorted[sorted.length - 1]!;
    for (let k = 1; k < maxBins; k++) {
      const edge = sorted[Math.floor((sorted.length * k) / maxBins)]!;
      if (edge < max && (edges.length === 0 || edge > edges[edges.length - 1]!)) edges.push(edge);
    }
    return Float32Array.from(edges);
  });
}

/**
 * Sorts float32 values in place in the order TypedArray#sort gives (-0
 * before +0, NaN last), by a four-pass radix sort on their bits: the
 * built-in sort took 40 ms per 200,000 values here, 16 features a fit.
 */
export function sortFloat32(values: Float32Array): Float32Array {
  const n = values.length;
  const keys = new Uint32Array(values.buffer, values.byteOffset, n);
  // Order-preserving keys: flip every bit of a negative, only the sign bit of a positive.
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    keys[i] = Number.isNaN(values[i]!) ? 0xffffffff : k & 0x80000000 ? ~k >>> 0 : (k | 0x80000000) >>> 0;
  }
  const other = new Uint32Array(n);
  const counts = new Uint32Array(256);
  // Four passes, each from one buffer to the other: the sorted keys end in `keys`.
  for (let shift = 0; shift < 32; shift += 16) {
    radixPass(keys, other, shift, counts);
    radixPass(other, keys, shift + 8, counts);
  }
  // Four passes: the sorted keys are back in `keys`. Undo the mapping (NaN's key gives a NaN).
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    keys[i] = k & 0x80000000 ? k & 0x7fffffff : ~k >>> 0;
  }
  return values;
}

/** One stable counting-sort pass on the byte of each key at `shift`. */
function radixPass(from: Uint32Array, to: Uint32Array, shift: number, counts: Uint32Array): void {
  counts.fill(0);
  for (let i = 0; i < from.length; i++) counts[(from[i]! >>> shift) & 255]!++;
  let sum = 0;
  for (let b = 0; b < 256; b++) {
    const c = counts[b]!;
    counts[b] = sum;
    sum += c;
  }
  for (let i = 0; i < from.length; i++) {
    const k = from[i]!;
    to[counts[(k >>> shift) & 255]!++] = k;
  }
}

/** A copy of the column, or of every (n / BINNING_SAMPLE)-th value of it when longer. */
function sample(column: Float32Array): Float32Array {
  const n = column.length;
  if (n <= BINNING_SAMPLE) return Float32Array.from(column);
  const out = new Float32Array(BINNING_SAMPLE);
  for (let k = 0; k < BINNING_SAMPLE; k++) out[k] = column[Math.floor((k * n) / BINNING_SAMPLE)]!;
  return out;
}

/** Buckets of the lookup table that finds a value's first candidate bin. */
const BUCKETS = 4096;

/**
 * Maps every value to its bin: the first b with value <= edges[b], or
 * edges.length (NaN included). A binary search mispredicts a branch at
 * almost every step, and at 2M rows binning took longer than a few boosting
 * rounds. Instead the value's bucket in an even grid over the edges' range
 * gives a bin every edge before which is below the value, and a short scan
 * finds the first edge at or above it: the same bin as the search.
 */
export function applyBins(x: Float32Array[], edges: BinEdges): Uint8Array[] {
  return x.map((column, f) => {
    const e = edges[f]!;
    const m = e.length;
    const out = new Uint8Array(column.length);
    if (m === 0) return out; // one bin: every value, NaN included, is in bin 0
    const lo = e[0]!;
    const scale = e[m - 1]! > lo ? BUCKETS / (e[m - 1]! - lo) : 0;
    // Non-decreasing in v (IEEE subtraction and multiplication by a positive
    // number are); NaN, from an infinite value times a zero scale, means bucket 0.
    const bucketOf = (v: number) => {
      const t = Math.floor((v - lo) * scale);
      return t > 0 ? (t < BUCKETS ? t : BUCKETS - 1) : 0;
    };
    // first[j]: how many edges fall in buckets before j. Every such edge e
    // satisfies e < v for any v in bucket j, so v's bin is at least first[j].
    const first = new Uint16Array(BUCKETS + 1);
    for (let b = 0; b < m; b++) first[bucketOf(e[b]!) + 1]!++;
    for (let j = 1; j <= BUCKETS; j++) first[j]! += first[j - 1]!;
    for (let i = 0; i < column.length; i++) {
      const value = column[i]!;
      if (Number.isNaN(value)) {
        out[i] = m;
        continue;
      }
      let b = first[bucketOf(value)]!;
      while (b < m && value > e[b]!) b++;
      out[i] = b;
    }
    return out;
  });
}
