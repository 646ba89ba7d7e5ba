import type { BinEdges } from './binning.ts';
import { expandBundles, findBundles, type Bundle } from './bundles.ts';
import { accumulateNode, accumulateRoot } from './kernel.ts';
import { HistogramThreads, shared } from './threads.ts';
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

/**
 * Shared, per-fit state: binned training data and buffers reused by every
 * node of every tree, so that growing a tree allocates almost nothing.
 */
export interface GrowContext {
  /**
   * Bins column-major, one Uint8Array per feature: a histogram pass reads one
   * feature's bins for a node's rows, so each pass walks one small array in
   * ascending row order (a node's rows stay sorted, see {@link partition}).
   */
  columns: Uint8Array[];
  rows: number;
  edges: BinEdges;
  /** Where each feature's bins start in a histogram: features have as many slots as bins. */
  offsets: Int32Array;
  /** Total bins over all features. */
  totalBins: number;
  /**
   * The columns a histogram pass reads: every splittable feature outside a
   * bundle (features with one bin can never split, so their histograms are
   * never read), then each bundle's column. `passBases[p]` is where pass p's
   * bins start in a histogram.
   */
  passes: Uint8Array[];
  passBases: Int32Array;
  /** Two-bin features counted in one pass, and where each bundle's slots start (after every feature's bins). */
  bundles: Bundle[];
  bundleBases: Int32Array;
  /** Histogram slots: every feature's bins, then every bundle's. */
  totalSlots: number;
  /** Sample indices; each node owns a contiguous segment, in ascending row order. */
  index: Uint32Array;
  scratch: Uint32Array;
  /** Rows per slot over all rows: the root's counts, every round. */
  rootCounts: Float64Array;
  /** A node's gradients gathered in its index order, read once per feature. */
  ordered: Float64Array;
  /** Each row's gradient, which the fit writes before every tree. */
  grad: Float64Array;
  pool: Float64Array[];
  /** The histograms' helper threads, or undefined on one thread. */
  threads: HistogramThreads | undefined;
}

interface Split {
  gain: number;
  feature: number;
  bin: number;
  leftGrad: number;
  leftCount: number;
}

interface Leaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  grad: number;
  /** [gradient sum, row count] per (feature, bin), or undefined once not needed. */
  hist: Float64Array | undefined;
  split: Split | undefined;
}

/**
 * Prepares the reusable state for growing trees on binned data. With more
 * than one thread, what the histogram workers read (the passes' columns,
 * the index, the gradients) lives in shared memory; {@link closeGrowContext}
 * stops the workers.
 */
export function createGrowContext(columns: Uint8Array[], edges: BinEdges, threads = 1): GrowContext {
  const rows = columns[0]?.length ?? 0;
  const offsets = new Int32Array(edges.length);
  let totalBins = 0;
  edges.forEach((e, f) => {
    offsets[f] = totalBins;
    totalBins += e.length + 1;
  });
  const splittable = edges.flatMap((e, f) => (e.length > 0 ? [f] : []));
  const bundles = findBundles(
    columns,
    splittable.filter((f) => edges[f]!.length === 1),
  );
  const bundled = new Set(bundles.flatMap((b) => Array.from(b.members)));
  const alone = splittable.filter((f) => !bundled.has(f));
  const bundleBases = new Int32Array(bundles.length);
  let totalSlots = totalBins;
  bundles.forEach((b, k) => {
    bundleBases[k] = totalSlots;
    totalSlots += b.members.length + 1;
  });
  const rootCounts = countBins(
    [...columns, ...bundles.map((b) => b.column)],
    Int32Array.from([...offsets, ...bundleBases]),
    totalSlots,
  );
  let passes = [...alone.map((f) => columns[f]!), ...bundles.map((b) => b.column)];
  const passBases = Int32Array.from([...alone.map((f) => offsets[f]!), ...bundleBases]);
  const passSlots = Int32Array.from([
    ...alone.map((f) => edges[f]!.length + 1),
    ...bundles.map((b) => b.members.length + 1),
  ]);
  const parallel = Math.min(threads, passes.length) > 1;
  if (parallel) {
    // The workers read the columns in place: one shared copy, which the main thread reads too.
    const store = new Uint8Array(new SharedArrayBuffer(passes.length * rows));
    passes = passes.map((column, p) => {
      const copy = store.subarray(p * rows, (p + 1) * rows);
      copy.set(column);
      return copy;
    });
    alone.forEach((f, p) => (columns[f] = passes[p]!));
  }
  const index = parallel ? shared(Uint32Array, 4, rows) : new Uint32Array(rows);
  const ordered = parallel ? shared(Float64Array, 8, rows) : new Float64Array(rows);
  const grad = parallel ? shared(Float64Array, 8, rows) : new Float64Array(rows);
  return {
    columns,
    rows,
    edges,
    offsets,
    totalBins,
    passes,
    passBases,
    bundles,
    bundleBases,
    totalSlots,
    index,
    scratch: new Uint32Array(rows),
    ordered,
    grad,
    rootCounts,
    pool: [],
    threads: parallel
      ? new HistogramThreads(
          { passes, bases: passBases, slots: passSlots, totalSlots, grad, ordered, index },
          Math.min(threads, passes.length),
        )
      : undefined,
  };
}

/** Stops the context's histogram workers, if any. */
export function closeGrowContext(ctx: GrowContext): void {
  ctx.threads?.close();
}

function countBins(columns: Uint8Array[], offsets: Int32Array, totalSlots: number): Float64Array {
  const counts = new Float64Array(totalSlots);
  columns.forEach((column, f) => {
    const base = offsets[f]!;
    for (let i = 0; i < column.length; i++) counts[base + column[i]!]! += 1;
  });
  return counts;
}

/**
 * Grows one tree leaf-wise (best-first, as LightGBM and scikit-learn's
 * HistGradientBoosting do) on gradient histograms, for squared error: every
 * row's hessian is 1, so a node's hessian sum is its row count and the
 * histograms carry counts instead. Only the smaller child of a split is
 * histogrammed; the larger one is its parent minus it. Adds each row's leaf
 * value to `prediction` and returns the tree and the split gain it credits
 * to each feature.
 */
export function growTree(
  ctx: GrowContext,
  grad: Float64Array,
  params: GrowParams,
  prediction: Float64Array,
  gainByFeature: Float64Array,
): Tree {
  const n = ctx.rows;
  const { index } = ctx;
  for (let i = 0; i < n; i++) index[i] = i;
  const tree: Tree = { feature: [0], threshold: [0], left: [-1], right: [-1], value: [0] };

  let sumG = 0;
  for (let i = 0; i < n; i++) sumG += grad[i]!;
  const root: Leaf = { node: 0, start: 0, end: n, depth: 0, grad: sumG, hist: undefined, split: undefined };
  const leaves: Leaf[] = [root];
  if (canSplit(root, params)) {
    root.hist = rootHistogram(ctx, grad, sumG);
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

    const depth = best.depth + 1;
    const left: Leaf = { node: leftNode, start: best.start, end: mid, depth, grad: split.leftGrad, hist: undefined, split: undefined };
    const right: Leaf = { node: rightNode, start: mid, end: best.end, depth, grad: best.grad - split.leftGrad, hist: undefined, split: undefined };
    const parentHist = best.hist!;
    best.hist = undefined;
    const needLeft = canSplit(left, params);
    const needRight = canSplit(right, params);
    if (needLeft || needRight) {
      const [small, large] = left.end - left.start <= right.end - right.start ? [left, right] : [right, left];
      small.hist = nodeHistogram(ctx, grad, small);
      // The subtraction trick, in place: the parent's buffer becomes the larger child's.
      large.hist = subtract(parentHist, small.hist);
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
    const value = Math.fround((-leaf.grad / (leaf.end - leaf.start + params.l2)) * params.learningRate);
    tree.value[leaf.node] = value;
    for (let k = leaf.start; k < leaf.end; k++) prediction[index[k]!]! += value;
    if (leaf.hist) ctx.pool.push(leaf.hist);
  }
  return tree;
}

/** `into` minus `other`, in place: a loop of its own, so that it is optimised on its own. */
function subtract(into: Float64Array, other: Float64Array): Float64Array {
  const n = into.length;
  for (let j = 0; j < n; j++) into[j]! -= other[j]!;
  return into;
}

function canSplit(leaf: Leaf, params: GrowParams): boolean {
  return (
    leaf.end - leaf.start >= 2 * params.minSamplesLeaf && (params.maxDepth <= 0 || leaf.depth < params.maxDepth)
  );
}

function takeBuffer(ctx: GrowContext): Float64Array {
  const buffer = ctx.pool.pop();
  if (buffer) {
    buffer.fill(0);
    return buffer;
  }
  return new Float64Array(ctx.totalSlots * 2);
}

/**
 * The root's histogram: every row in row order, so no index is needed.
 * Sums per bin are added in ascending row order, as in every other node.
 */
function rootHistogram(ctx: GrowContext, grad: Float64Array, sumG: number): Float64Array {
  const hist = takeBuffer(ctx);
  const { passes, passBases, rows } = ctx;
  if (ctx.threads) ctx.threads.root(hist, rows);
  else accumulateRoot(passes, passBases, 0, passes.length, hist, grad, rows);
  // The root's counts are the same every round: copied, not counted again.
  const counts = ctx.rootCounts;
  for (let b = 0; b < counts.length; b++) hist[2 * b + 1] = counts[b]!;
  expandBundles(ctx.bundles, ctx.bundleBases, ctx.offsets, hist, sumG, rows);
  return hist;
}

/**
 * Sums gradient and count per (feature, bin) over a node's rows: most of a
 * fit's time. The node's gradients are gathered once into a contiguous
 * buffer, then read once per group of passes.
 */
function nodeHistogram(ctx: GrowContext, grad: Float64Array, leaf: Leaf): Float64Array {
  const { index, ordered, passes, passBases } = ctx;
  const { start, end } = leaf;
  const rows = end - start;
  for (let k = 0; k < rows; k++) ordered[k] = grad[index[start + k]!]!;
  const hist = takeBuffer(ctx);
  if (ctx.threads) ctx.threads.node(hist, start, rows);
  else accumulateNode(passes, passBases, 0, passes.length, hist, ordered, index.subarray(start, end), rows);
  expandBundles(ctx.bundles, ctx.bundleBases, ctx.offsets, hist, leaf.grad, rows);
  return hist;
}

/** The split with the largest gain, or undefined when none helps. */
function bestSplit(ctx: GrowContext, leaf: Leaf, params: GrowParams): Split | undefined {
  const hist = leaf.hist!;
  const { l2, minSamplesLeaf } = params;
  const total = leaf.end - leaf.start;
  const parentScore = (leaf.grad * leaf.grad) / (total + l2);
  // The best so far in locals: an object only for the winner.
  let bestGain = params.minGain;
  let bestFeature = -1;
  let bestBin = 0;
  let bestGrad = 0;
  let bestCount = 0;
  for (let f = 0; f < ctx.columns.length; f++) {
    const bins = ctx.edges[f]!.length + 1;
    const base = ctx.offsets[f]! * 2;
    let gl = 0;
    let cl = 0;
    for (let b = 0; b < bins - 1; b++) {
      const o = base + b * 2;
      const g = hist[o]!;
      const c = hist[o + 1]!;
      // An empty bin with no gradient leaves gl and cl as they were, so its gain
      // would equal the previous bin's, which cannot be strictly better: skip
      // it. Deep nodes have few rows over 255 bins, most of them empty.
      if (c === 0 && g === 0) continue;
      gl += g;
      cl += c;
      if (cl < minSamplesLeaf) continue;
      if (total - cl < minSamplesLeaf) break;
      const gr = leaf.grad - gl;
      const hr = total - cl;
      const gain = 0.5 * ((gl * gl) / (cl + l2) + (gr * gr) / (hr + l2) - parentScore);
      if (gain > bestGain) {
        bestGain = gain;
        bestFeature = f;
        bestBin = b;
        bestGrad = gl;
        bestCount = cl;
      }
    }
  }
  return bestFeature < 0
    ? undefined
    : { gain: bestGain, feature: bestFeature, bin: bestBin, leftGrad: bestGrad, leftCount: bestCount };
}

/**
 * Stable partition of a node's rows: bin <= splitBin first. Returns the
 * boundary. Stable, so every node's rows stay in ascending row order.
 */
function partition(ctx: GrowContext, start: number, end: number, feature: number, splitBin: number): number {
  const { index, scratch } = ctx;
  const column = ctx.columns[feature]!;
  let l = start;
  let r = 0;
  // Without a branch: which side a row goes to is as good as random, and a
  // mispredicted branch per row cost three times this. Both buffers take the
  // row; only the side it belongs to advances (left is 1 when bin <= splitBin).
  // Writing index[l] is safe: l <= k, and index[k] has been read.
  for (let k = start; k < end; k++) {
    const i = index[k]!;
    const left = (column[i]! - splitBin - 1) >>> 31;
    index[l] = i;
    scratch[r] = i;
    l += left;
    r += 1 - left;
  }
  index.set(scratch.subarray(0, r), l);
  return l;
}
