import type { BinEdges } from './binning.ts';
import type { Tree } from './tree.ts';

/** Tree-growth hyperparameters. */
export interface GrowParams {
  maxLeaves: number;
  /** 0 means no depth limit. */
  maxDepth: number;
  minSamplesLeaf: number;
  l2: number;
  learningRate: number;
  minGain: number;
}

/** Shared, per-fit state: binned training data and reusable buffers. */
export interface GrowContext {
  /** Bins row-major (row i's bins at i*features..): one row's bins share a cache line. */
  binned: Uint8Array;
  features: number;
  edges: BinEdges;
  /** Where each feature's bins start in a histogram: features have as many slots as bins. */
  offsets: Int32Array;
  /** Total bins over all features. */
  totalBins: number;
  /** Sample indices; each node owns a contiguous segment. */
  index: Uint32Array;
  scratch: Uint32Array;
  pool: Float64Array[];
}

interface Split {
  gain: number;
  feature: number;
  bin: number;
  leftGrad: number;
  leftHess: number;
  leftCount: number;
}

interface Leaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  grad: number;
  hess: number;
  /** [grad, hess, count] per (feature, bin), or undefined once not needed. */
  hist: Float64Array | undefined;
  split: Split | undefined;
}

/** Prepares the reusable state for growing trees on binned data. */
export function createGrowContext(columns: Uint8Array[], edges: BinEdges): GrowContext {
  const n = columns[0]?.length ?? 0;
  const features = columns.length;
  const binned = new Uint8Array(n * features);
  columns.forEach((column, f) => {
    for (let i = 0; i < n; i++) binned[i * features + f] = column[i]!;
  });
  return {
    binned,
    features,
    edges,
    offsets: Int32Array.from(edges, (_, f) => edges.slice(0, f).reduce((s, e) => s + e.length + 1, 0)),
    totalBins: edges.reduce((s, e) => s + e.length + 1, 0),
    index: new Uint32Array(n),
    scratch: new Uint32Array(n),
    pool: [],
  };
}

/**
 * Grows one tree leaf-wise (best-first, as LightGBM and scikit-learn's
 * HistGradientBoosting do) on gradient/hessian histograms. Only the smaller
 * child of a split is histogrammed; the larger one is its parent minus it.
 * Adds each row's leaf value to `prediction` and returns the tree and the
 * split gain it credits to each feature.
 */
export function growTree(
  ctx: GrowContext,
  grad: Float64Array,
  hess: Float64Array,
  params: GrowParams,
  prediction: Float64Array,
  gainByFeature: Float64Array,
): Tree {
  const n = grad.length;
  const { index } = ctx;
  for (let i = 0; i < n; i++) index[i] = i;
  const tree: Tree = { feature: [0], threshold: [0], left: [-1], right: [-1], value: [0] };

  let sumG = 0;
  let sumH = 0;
  let constantHessian = n > 0 ? hess[0]! : 0;
  for (let i = 0; i < n; i++) {
    sumG += grad[i]!;
    sumH += hess[i]!;
    if (hess[i] !== constantHessian) constantHessian = 0;
  }
  const root: Leaf = { node: 0, start: 0, end: n, depth: 0, grad: sumG, hess: sumH, hist: undefined, split: undefined };
  const leaves: Leaf[] = [root];
  if (canSplit(root, params)) {
    root.hist = buildHistogram(ctx, grad, hess, 0, n, constantHessian);
    root.split = bestSplit(ctx, root, params);
  }

  while (leaves.length < params.maxLeaves) {
    let best: Leaf | undefined;
    for (const leaf of leaves) {
      if (leaf.split && (!best || leaf.split.gain > best.split!.gain)) best = leaf;
    }
    if (!best) break;
    const split = best.split!;
    const mid = partition(ctx, best.start, best.end, split.feature, split.bin);
    const leftNode = tree.feature.length;
    const rightNode = leftNode + 1;
    tree.feature[best.node] = split.feature;
    tree.threshold[best.node] = ctx.edges[split.feature]![split.bin]!;
    tree.left[best.node] = leftNode;
    tree.right[best.node] = rightNode;
    for (let k = 0; k < 2; k++) {
      tree.feature.push(0);
      tree.threshold.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.value.push(0);
    }
    gainByFeature[split.feature]! += split.gain;

    const left: Leaf = {
      node: leftNode,
      start: best.start,
      end: mid,
      depth: best.depth + 1,
      grad: split.leftGrad,
      hess: split.leftHess,
      hist: undefined,
      split: undefined,
    };
    const right: Leaf = {
      node: rightNode,
      start: mid,
      end: best.end,
      depth: best.depth + 1,
      grad: best.grad - split.leftGrad,
      hess: best.hess - split.leftHess,
      hist: undefined,
      split: undefined,
    };
    const parentHist = best.hist!;
    best.hist = undefined;
    const needLeft = canSplit(left, params);
    const needRight = canSplit(right, params);
    if (needLeft || needRight) {
      const [small, large] = left.end - left.start <= right.end - right.start ? [left, right] : [right, left];
      small.hist = buildHistogram(ctx, grad, hess, small.start, small.end, constantHessian);
      // The subtraction trick, in place: the parent's buffer becomes the larger child's.
      const s = small.hist;
      for (let j = 0; j < parentHist.length; j++) parentHist[j]! -= s[j]!;
      large.hist = parentHist;
    } else {
      ctx.pool.push(parentHist);
    }
    for (const child of [left, right]) {
      if (child.hist && canSplit(child, params)) child.split = bestSplit(ctx, child, params);
      if (!child.split && child.hist) {
        ctx.pool.push(child.hist);
        child.hist = undefined;
      }
    }
    leaves.splice(leaves.indexOf(best), 1, left, right);
  }

  for (const leaf of leaves) {
    const value = Math.fround((-leaf.grad / (leaf.hess + params.l2)) * params.learningRate);
    tree.value[leaf.node] = value;
    for (let k = leaf.start; k < leaf.end; k++) prediction[index[k]!]! += value;
    if (leaf.hist) ctx.pool.push(leaf.hist);
  }
  return tree;
}

function canSplit(leaf: Leaf, params: GrowParams): boolean {
  return (
    leaf.end - leaf.start >= 2 * params.minSamplesLeaf && (params.maxDepth <= 0 || leaf.depth < params.maxDepth)
  );
}

function takeBuffer(ctx: GrowContext): Float64Array {
  const size = ctx.totalBins * 3;
  const buffer = ctx.pool.pop();
  if (buffer) {
    buffer.fill(0);
    return buffer;
  }
  return new Float64Array(size);
}

/**
 * Sums gradient, hessian and count per (feature, bin) over a node's rows.
 * With a constant hessian (squared error: 1) the hessian histogram is the
 * count histogram scaled, so it is filled from the counts afterwards instead
 * of being accumulated row by row: this loop is most of a fit's time.
 */
function buildHistogram(ctx: GrowContext, grad: Float64Array, hess: Float64Array, start: number, end: number, constantHessian: number): Float64Array {
  const hist = takeBuffer(ctx);
  const { index, binned, features, offsets } = ctx;
  for (let k = start; k < end; k++) {
    const i = index[k]!;
    const g = grad[i]!;
    const h = hess[i]!;
    const row = i * features;
    for (let f = 0; f < features; f++) {
      const o = (offsets[f]! + binned[row + f]!) * 3;
      hist[o]! += g;
      if (constantHessian === 0) hist[o + 1]! += h;
      hist[o + 2]! += 1;
    }
  }
  if (constantHessian !== 0) {
    for (let o = 0; o < hist.length; o += 3) hist[o + 1] = hist[o + 2]! * constantHessian;
  }
  return hist;
}

/** The split with the largest gain, or undefined when none helps. */
function bestSplit(ctx: GrowContext, leaf: Leaf, params: GrowParams): Split | undefined {
  const hist = leaf.hist!;
  const { l2, minSamplesLeaf } = params;
  const total = leaf.end - leaf.start;
  const parentScore = (leaf.grad * leaf.grad) / (leaf.hess + l2);
  let best: Split | undefined;
  for (let f = 0; f < ctx.features; f++) {
    const bins = ctx.edges[f]!.length + 1;
    const base = ctx.offsets[f]! * 3;
    let gl = 0;
    let hl = 0;
    let cl = 0;
    for (let b = 0; b < bins - 1; b++) {
      const o = base + b * 3;
      gl += hist[o]!;
      hl += hist[o + 1]!;
      cl += hist[o + 2]!;
      if (cl < minSamplesLeaf) continue;
      if (total - cl < minSamplesLeaf) break;
      const gr = leaf.grad - gl;
      const hr = leaf.hess - hl;
      const gain = 0.5 * ((gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parentScore);
      if (gain > params.minGain && (!best || gain > best.gain)) {
        best = { gain, feature: f, bin: b, leftGrad: gl, leftHess: hl, leftCount: cl };
      }
    }
  }
  return best;
}

/** Stable partition of a node's rows: bin <= splitBin first. Returns the boundary. */
function partition(ctx: GrowContext, start: number, end: number, feature: number, splitBin: number): number {
  const { index, scratch, binned, features } = ctx;
  let l = start;
  let r = 0;
  for (let k = start; k < end; k++) {
    const i = index[k]!;
    if (binned[i * features + feature]! <= splitBin) index[l++] = i;
    else scratch[r++] = i;
  }
  index.set(scratch.subarray(0, r), l);
  return l;
}
