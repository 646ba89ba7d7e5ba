import { permutation } from '../util/rng.ts';

/** Row indices of a seeded split. */
export interface Split {
  train: Uint32Array;
  validation: Uint32Array;
  test: Uint32Array;
}

/**
 * A seeded random split: `testSize` of all rows are held out for the final
 * report, then `validationSize` of the rest for early stopping and model
 * selection. The same (rows, seed, sizes) always gives the same split, so
 * the evaluate stage can recover the test rows the train stage held out.
 */
export function splitRows(rows: number, seed: number, testSize: number, validationSize: number): Split {
  const order = permutation(rows, seed);
  const nTest = Math.round(rows * testSize);
  const rest = order.subarray(nTest);
  const nValidation = Math.round(rest.length * validationSize);
  // Sorted so that row order (and so floating-point sums) does not depend on the shuffle.
  const sorted = (a: Uint32Array) => Uint32Array.from(a).sort();
  return {
    test: sorted(order.subarray(0, nTest)),
    validation: sorted(rest.subarray(0, nValidation)),
    train: sorted(rest.subarray(nValidation)),
  };
}
