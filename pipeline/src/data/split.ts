import { takeRows, type Dataset } from './rows.ts';

/** Row indices of a seeded split. */
export interface Split {
  train: Uint32Array;
  validation: Uint32Array;
  test: Uint32Array;
}

/** The columns a row's place is decided by: every value it holds, target included. */
export type SplitData = Pick<Dataset, 'rows' | 'numeric' | 'categorical'>;

/**
 * A seeded split by content: each row goes to test, validation or train by a
 * seeded hash of its own values, never by its position or the row count. So
 * appending rows (new data from production) never moves an old row between
 * train and test, reordering the file changes nothing, and identical rows
 * always land together (a duplicate cannot be trained on and tested on).
 * About `testSize` of the rows are held out for the final report, and about
 * `validationSize` of the rest for early stopping and model selection: the
 * shares are a hash's, so they vary by a few rows around the exact fraction.
 */
export function splitRows(
  data: SplitData,
  seed: number,
  testSize: number,
  validationSize: number,
): Split {
  const hashes = rowHashes(data, seed);
  // Thresholds on the 32-bit hash, so that a row's side depends on its hash alone.
  const testBelow = Math.round(testSize * 2 ** 32);
  const validationBelow = testBelow + Math.round((2 ** 32 - testBelow) * validationSize);
  const test: number[] = [];
  const validation: number[] = [];
  const train: number[] = [];
  for (let i = 0; i < data.rows; i++) {
    const h = hashes[i]!;
    (h < testBelow ? test : h < validationBelow ? validation : train).push(i);
  }
  return {
    test: Uint32Array.from(test),
    validation: Uint32Array.from(validation),
    train: Uint32Array.from(train),
  };
}

/** The split's shares, as params.yaml and a card's params name them. */
export interface SplitShares {
  test_size: number;
  validation_size: number;
}

/**
 * The held-out test rows of `data` under `seed` and `shares`: what evaluate
 * scores a model on, and what the gate reads again to score the production
 * model head to head. One function, so the two can never draw different rows.
 */
export function heldOutTestRows(data: Dataset, seed: number, shares: SplitShares): Dataset {
  return takeRows(data, splitRows(data, seed, shares.test_size, shares.validation_size).test);
}

/**
 * A 32-bit seeded hash of each row's values (murmur3's mixing): numbers by
 * their float64 bits (every NaN alike, -0 as 0), categories by their UTF-16
 * code units, columns in name order so that the file's column order does not
 * matter.
 */
export function rowHashes(data: SplitData, seed: number): Uint32Array {
  const hashes = new Uint32Array(data.rows).fill(seed >>> 0);
  const canonical = new Float64Array(1);
  const canonicalWords = new Uint32Array(canonical.buffer);
  const names = [...Object.keys(data.numeric), ...Object.keys(data.categorical)].sort();
  for (const name of names) {
    const numbers = data.numeric[name];
    if (numbers) {
      const words = new Uint32Array(numbers.buffer, numbers.byteOffset, numbers.length * 2);
      for (let i = 0; i < data.rows; i++) {
        const v = numbers[i]!;
        let lo = words[2 * i]!;
        let hi = words[2 * i + 1]!;
        if (v !== v || v === 0) {
          // NaN payloads and the sign of zero are not content.
          canonical[0] = v === 0 ? 0 : NaN;
          lo = canonicalWords[0]!;
          hi = canonicalWords[1]!;
        }
        hashes[i] = mix(mix(hashes[i]!, lo), hi);
      }
      continue;
    }
    const texts = data.categorical[name]!;
    for (let i = 0; i < data.rows; i++) {
      const text = texts[i]!;
      let h = hashes[i]!;
      for (let c = 0; c < text.length; c++) h = mix(h, text.charCodeAt(c));
      // The length ends the value, so that ("ab", "c") and ("a", "bc") differ.
      hashes[i] = mix(h, text.length);
    }
  }
  for (let i = 0; i < data.rows; i++) hashes[i] = finish(hashes[i]!);
  return hashes;
}

/** One murmur3 round: folds a 32-bit word into the hash. */
function mix(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) >>> 0;
}

/** murmur3's finalizer: spreads every input bit over the output. */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
