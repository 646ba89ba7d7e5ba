/**
 * The histogram loops, on their own: the main thread runs them, and each
 * histogram worker runs the same functions from their source text
 * (threads.ts), so these must stay self-contained: no imports, no closures,
 * no nested functions. A pass is one byte column (a feature's bins, or a
 * bundle's codes); its bins start at `bases[p]` pairs of [gradient, count]
 * into the histogram.
 *
 * Four passes share one loop: the row and its gradient are read once for
 * the four, and the four additions are independent, so they overlap instead
 * of waiting on each other. Each bin's sum is still taken in ascending row
 * order, whichever passes share a loop and whichever thread runs it, so the
 * histogram, and the model, do not depend on the grouping or the threads.
 */

/**
 * Adds `values[k]` and a count of 1 to the bin of row `rows[k]` in passes
 * `from` to `to` (exclusive), for k below `count`: a node's histogram, from
 * its gathered gradients.
 */
export function accumulateNode(
  passes: Uint8Array[],
  bases: Int32Array,
  from: number,
  to: number,
  hist: Float64Array,
  values: Float64Array,
  rows: Uint32Array,
  count: number,
): void {
  let p = from;
  for (; p + 4 <= to; p += 4) {
    const ca = passes[p]!;
    const cb = passes[p + 1]!;
    const cc = passes[p + 2]!;
    const cd = passes[p + 3]!;
    const ba = bases[p]! * 2;
    const bb = bases[p + 1]! * 2;
    const bc = bases[p + 2]! * 2;
    const bd = bases[p + 3]! * 2;
    for (let k = 0; k < count; k++) {
      const i = rows[k]!;
      const v = values[k]!;
      const oa = ba + ca[i]! * 2;
      const ob = bb + cb[i]! * 2;
      const oc = bc + cc[i]! * 2;
      const od = bd + cd[i]! * 2;
      hist[oa]! += v;
      hist[oa + 1]! += 1;
      hist[ob]! += v;
      hist[ob + 1]! += 1;
      hist[oc]! += v;
      hist[oc + 1]! += 1;
      hist[od]! += v;
      hist[od + 1]! += 1;
    }
  }
  for (; p + 2 <= to; p += 2) {
    const ca = passes[p]!;
    const cb = passes[p + 1]!;
    const ba = bases[p]! * 2;
    const bb = bases[p + 1]! * 2;
    for (let k = 0; k < count; k++) {
      const i = rows[k]!;
      const v = values[k]!;
      const oa = ba + ca[i]! * 2;
      const ob = bb + cb[i]! * 2;
      hist[oa]! += v;
      hist[oa + 1]! += 1;
      hist[ob]! += v;
      hist[ob + 1]! += 1;
    }
  }
  for (; p < to; p++) {
    const column = passes[p]!;
    const base = bases[p]! * 2;
    for (let k = 0; k < count; k++) {
      const o = base + column[rows[k]!]! * 2;
      hist[o]! += values[k]!;
      hist[o + 1]! += 1;
    }
  }
}

/**
 * Adds `grad[i]` to the bin of every row i below `rows` in passes `from` to
 * `to`: the root's histogram, which needs no index (every row, in row
 * order) and no counts (the same every round, counted once per fit).
 */
export function accumulateRoot(
  passes: Uint8Array[],
  bases: Int32Array,
  from: number,
  to: number,
  hist: Float64Array,
  grad: Float64Array,
  rows: number,
): void {
  let p = from;
  for (; p + 4 <= to; p += 4) {
    const ca = passes[p]!;
    const cb = passes[p + 1]!;
    const cc = passes[p + 2]!;
    const cd = passes[p + 3]!;
    const ba = bases[p]! * 2;
    const bb = bases[p + 1]! * 2;
    const bc = bases[p + 2]! * 2;
    const bd = bases[p + 3]! * 2;
    for (let i = 0; i < rows; i++) {
      const v = grad[i]!;
      hist[ba + ca[i]! * 2]! += v;
      hist[bb + cb[i]! * 2]! += v;
      hist[bc + cc[i]! * 2]! += v;
      hist[bd + cd[i]! * 2]! += v;
    }
  }
  for (; p + 2 <= to; p += 2) {
    const ca = passes[p]!;
    const cb = passes[p + 1]!;
    const ba = bases[p]! * 2;
    const bb = bases[p + 1]! * 2;
    for (let i = 0; i < rows; i++) {
      const v = grad[i]!;
      hist[ba + ca[i]! * 2]! += v;
      hist[bb + cb[i]! * 2]! += v;
    }
  }
  for (; p < to; p++) {
    const column = passes[p]!;
    const base = bases[p]! * 2;
    for (let i = 0; i < rows; i++) hist[base + column[i]! * 2]! += grad[i]!;
  }
}
