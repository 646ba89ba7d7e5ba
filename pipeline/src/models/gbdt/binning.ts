import { binIndex } from '@housing/model-card/drift';

/**
 * Per-feature bin edges: bin b holds values v with edges[b-1] < v <= edges[b].
 * Edges are observed float32 values, never midpoints, so a split "bin <= b"
 * is exactly the comparison "x <= edges[b]" that ONNX's BRANCH_LEQ makes on
 * the same float32 input.
 */
export type BinEdges = Float32Array[];

/** Chooses up to `maxBins` bins per feature from quantiles of the training values. */
export function fitBins(x: Float32Array[], maxBins: number): BinEdges {
  return x.map((column) => {
    const sorted = Float32Array.from(column).sort();
    const distinct: number[] = [];
    for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
    if (distinct.length <= maxBins) return Float32Array.from(distinct.slice(0, -1));
    const edges: number[] = [];
    const max = distinct[distinct.length - 1]!;
    for (let k = 1; k < maxBins; k++) {
      const edge = sorted[Math.floor((sorted.length * k) / maxBins)]!;
      if (edge < max && (edges.length === 0 || edge > edges[edges.length - 1]!)) edges.push(edge);
    }
    return Float32Array.from(edges);
  });
}

/** Maps every value to its bin. */
export function applyBins(x: Float32Array[], edges: BinEdges): Uint8Array[] {
  return x.map((column, f) => {
    const e = Array.from(edges[f]!);
    const out = new Uint8Array(column.length);
    for (let i = 0; i < column.length; i++) out[i] = binIndex(e, column[i]!);
    return out;
  });
}
