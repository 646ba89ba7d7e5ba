import { ConfigurationError } from '@housing/core/errors';

/**
 * A linear model on standardized engineered features:
 * prediction = intercept + Σ coef_j · (x_j - mean_j) / scale_j.
 * The ONNX graph computes this in double precision, as here, so the two agree
 * to float32 rounding of the final value.
 */
export interface LinearModel {
  kind: 'linear';
  intercept: number;
  mean: number[];
  scale: number[];
  coefficients: number[];
}

/** Hyperparameters from params.yaml `linear`. */
export interface LinearParams {
  /** Ridge penalty on standardized coefficients. */
  l2: number;
}

/**
 * Ridge regression by the normal equations on standardized features, solved
 * with a Cholesky factorization. The penalty also settles the collinearity of
 * a full one-hot encoding. Coefficients are returned on the raw feature scale.
 */
export function fitLinear(x: Float32Array[], y: Float64Array, params: LinearParams): LinearModel {
  const p = x.length;
  const n = y.length;
  const mean = x.map((col) => col.reduce((s, v) => s + v, 0) / n);
  const scale = x.map((col, j) => {
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (col[i]! - mean[j]!) ** 2;
    const sd = Math.sqrt(ss / n);
    return sd > 0 ? sd : 1;
  });
  const yMean = y.reduce((s, v) => s + v, 0) / n;
  const z = x.map((col, j) => Float64Array.from(col, (v) => (v - mean[j]!) / scale[j]!));
  // A = ZᵀZ + λI, b = Zᵀ(y - ȳ)
  const a = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const zj = z[j]!;
    for (let k = j; k < p; k++) {
      const zk = z[k]!;
      let s = 0;
      for (let i = 0; i < n; i++) s += zj[i]! * zk[i]!;
      a[j * p + k] = s;
      a[k * p + j] = s;
    }
    a[j * p + j]! += params.l2;
    let s = 0;
    for (let i = 0; i < n; i++) s += zj[i]! * (y[i]! - yMean);
    b[j] = s;
  }
  const w = solveCholesky(a, b, p);
  return {
    kind: 'linear',
    intercept: yMean,
    mean,
    scale,
    coefficients: Array.from(w),
  };
}

/** Predicts in double precision. */
export function predictLinear(model: LinearModel, x: Float32Array[]): Float64Array {
  const n = x[0]?.length ?? 0;
  const out = new Float64Array(n).fill(model.intercept);
  model.coefficients.forEach((c, j) => {
    const col = x[j]!;
    const m = model.mean[j]!;
    const s = model.scale[j]!;
    for (let i = 0; i < n; i++) out[i]! += (c * (col[i]! - m)) / s;
  });
  return out;
}

/** Solves A w = b for symmetric positive definite A (row-major p×p). */
function solveCholesky(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * p + j]!;
      for (let k = 0; k < j; k++) s -= l[i * p + k]! * l[j * p + k]!;
      if (i === j) {
        if (s <= 0) throw new ConfigurationError('the ridge system is not positive definite: raise linear.l2', 'params.yaml');
        l[i * p + i] = Math.sqrt(s);
      } else l[i * p + j] = s / l[j * p + j]!;
    }
  }
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * p + k]! * y[k]!;
    y[i] = s / l[i * p + i]!;
  }
  const w = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < p; k++) s -= l[k * p + i]! * w[k]!;
    w[i] = s / l[i * p + i]!;
  }
  return w;
}
