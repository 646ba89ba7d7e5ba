import { join, resolve } from 'node:path';

/** The repository's root: tests run commands there, as a user would. */
export const ROOT = resolve(import.meta.dirname, '../../..');
/** `../shared` beside the checkout (or SHARED_DIR): the dataset and the DVC remote. */
export const SHARED = resolve(process.env.SHARED_DIR ?? join(ROOT, '..', 'shared'));
/** The full California Housing CSV. */
export const HOUSING_CSV = join(SHARED, 'datasets/california-housing/housing.csv');
/** The DVC local remote that holds the dataset by hash. */
export const REMOTE = join(SHARED, 'dvc-remote');
