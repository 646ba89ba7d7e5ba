/** Regression quality on one set of rows. */
export interface RegressionMetrics {
  rmse: number;
  mae: number;
  r2: number;
}

/** RMSE, MAE and R² of predictions against targets. */
export function regressionMetrics(prediction: ArrayLike<number>, y: ArrayLike<number>): RegressionMetrics {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]!;
  mean /= n;
  let ss = 0;
  let sa = 0;
  let st = 0;
  for (let i = 0; i < n; i++) {
    const e = prediction[i]! - y[i]!;
    ss += e * e;
    sa += Math.abs(e);
    st += (y[i]! - mean) ** 2;
  }
  return { rmse: Math.sqrt(ss / n), mae: sa / n, r2: st === 0 ? 0 : 1 - ss / st };
}
