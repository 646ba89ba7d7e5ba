import { join, resolve } from 'node:path';

/** The repository's root: tests run commands there, as a user would. */
export const ROOT = resolve(import.meta.dirname, '../../..');
/**
 * The full California Housing CSV, as `npm run data:pull` leaves it. The data globalSetup
 * (./data-setup.ts) fails the run before any test when it is not what `data.dvc` records.
 */
export const HOUSING_CSV = join(ROOT, 'data/housing.csv');
