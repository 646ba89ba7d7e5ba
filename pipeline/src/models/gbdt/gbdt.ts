import { applyBins, fitBins } from './binning.ts';
import { closeGrowContext, createGrowContext, growTree, type GrowContext, type GrowParams } from './grow.ts';
import { treeLeafValue, type Tree } from './tree.ts';

/** Hyperparameters from params.yaml `gbdt`. */
export interface GbdtParams {
  learning_rate: number;
  max_rounds: number;
  max_leaves: number;
  /** 0 for no limit. */
  max_depth: number;
  min_samples_leaf: number;
  l2: number;
  max_bins: number;
  /** Stop when validation RMSE has not improved for this many rounds. */
  early_stopping_rounds: number;
  /** Smallest split gain worth taking. */
  min_gain: number;
}

/** How a fit runs: what does not change the model. */
export interface GbdtOptions {
  /**
   * Threads for the histograms, the main one included (default 1). The
   * model's bytes are the same whatever the number.
   */
  threads?: number;
}

/** A fitted gradient-boosted ensemble: prediction = base + Σ tree leaf values. */
export interface GbdtModel {
  kind: 'gbdt';
  base: number;
  trees: Tree[];
}

/** One boosting round's losses. */
export interface RoundLoss {
  round: number;
  train_rmse: number;
  validation_rmse: number;
}

/** A fit's model and what it learned on the way. */
export interface GbdtFit {
  model: GbdtModel;
  history: RoundLoss[];
  /** Rounds kept: the best validation round. */
  best_round: number;
  /** Total split gain per feature, over the kept trees. */
  gain_by_feature: number[];
}

/**
 * Fits a histogram-based gradient-boosted regression ensemble on squared
 * error (gradient = prediction - y, hessian = 1), with shrinkage, L2 on leaf
 * values, a minimum leaf size, leaf-wise growth capped by leaves and depth,
 * and early stopping on the validation set. Deterministic: no sampling.
 */
export function fitGbdt(
  x: Float32Array[],
  y: Float64Array,
  validation: { x: Float32Array[]; y: Float64Array },
  params: GbdtParams,
  onRound?: (loss: RoundLoss) => void,
  options: GbdtOptions = {},
): GbdtFit {
  const edges = fitBins(x, params.max_bins);
  // The per-feature bins are packed into the context and dropped.
  const ctx = createGrowContext(applyBins(x, edges), edges, options.threads);
  try {
    return boost(ctx, x.length, y, validation, params, onRound);
  } finally {
    closeGrowContext(ctx);
  }
}

function boost(
  ctx: GrowContext,
  features: number,
  y: Float64Array,
  validation: { x: Float32Array[]; y: Float64Array },
  params: GbdtParams,
  onRound?: (loss: RoundLoss) => void,
): GbdtFit {
  const n = y.length;
  const grow: GrowParams = {
    maxLeaves: params.max_leaves,
    maxDepth: params.max_depth,
    minSamplesLeaf: params.min_samples_leaf,
    l2: params.l2,
    learningRate: params.learning_rate,
    minGain: params.min_gain,
  };
  let base = 0;
  for (let i = 0; i < n; i++) base += y[i]!;
  base = Math.fround(base / n);

  const prediction = new Float64Array(n).fill(base);
  const validationPrediction = new Float64Array(validation.y.length).fill(base);
  // Squared error: the gradient is prediction - y and the hessian is 1, which growTree assumes.
  const grad = ctx.grad;
  const trees: Tree[] = [];
  const gains: Float64Array[] = [];
  const history: RoundLoss[] = [];
  let bestRound = 0;
  let bestLoss = Infinity;
  const hasValidation = validation.y.length > 0;

  for (let i = 0; i < n; i++) grad[i] = prediction[i]! - y[i]!;
  for (let round = 1; round <= params.max_rounds; round++) {
    const gain = new Float64Array(features);
    const tree = growTree(ctx, grad, grow, prediction, gain);
    trees.push(tree);
    gains.push(gain);
    for (let i = 0; i < validation.y.length; i++) validationPrediction[i]! += treeLeafValue(tree, validation.x, i);
    const loss = {
      round,
      train_rmse: nextGradient(prediction, y, grad),
      validation_rmse: hasValidation ? rmse(validationPrediction, validation.y) : NaN,
    };
    history.push(loss);
    onRound?.(loss);
    // A single leaf cannot improve anything that follows.
    if (tree.left[0] === -1) break;
    // Without validation rows there is nothing to stop on: run every round.
    if (!hasValidation || loss.validation_rmse < bestLoss) {
      bestLoss = loss.validation_rmse;
      bestRound = round;
    } else if (round - bestRound >= params.early_stopping_rounds) break;
  }
  const kept = trees.slice(0, bestRound);
  const gainByFeature = new Array<number>(features).fill(0);
  for (const g of gains.slice(0, bestRound)) g.forEach((v, f) => (gainByFeature[f]! += v));
  return { model: { kind: 'gbdt', base, trees: kept }, history, best_round: bestRound, gain_by_feature: gainByFeature };
}

/** Predicts with raw (float32) features. */
export function predictGbdt(model: GbdtModel, x: Float32Array[]): Float64Array {
  const n = x[0]?.length ?? 0;
  const out = new Float64Array(n).fill(model.base);
  for (const tree of model.trees) {
    for (let i = 0; i < n; i++) out[i]! += treeLeafValue(tree, x, i);
  }
  return out;
}

/**
 * The next round's gradients (prediction - y) and, from the same
 * differences in the same order, the training RMSE: one pass instead of two.
 */
function nextGradient(prediction: Float64Array, y: Float64Array, grad: Float64Array): number {
  let ss = 0;
  for (let i = 0; i < y.length; i++) {
    const d = prediction[i]! - y[i]!;
    grad[i] = d;
    ss += d ** 2;
  }
  return Math.sqrt(ss / y.length);
}

/** Root mean squared error. */
export function rmse(prediction: ArrayLike<number>, y: ArrayLike<number>): number {
  let ss = 0;
  for (let i = 0; i < y.length; i++) ss += (prediction[i]! - y[i]!) ** 2;
  return Math.sqrt(ss / y.length);
}
