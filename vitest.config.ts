import { defineConfig } from 'vitest/config';

/**
 * Unit tests end in `.unit.test.ts`: they start no process and no server, load no trained
 * model and call no program outside Node, so `npm run test:unit` needs nothing but the
 * checkout (and the pulled dataset). Every other `*.test.ts` is an integration test.
 * `test/test-projects.unit.test.ts` checks that the unit files keep to that.
 */
const UNIT = '**/test/**/*.unit.test.ts';
/**
 * Both projects read the pulled `data/`: this setup fails the run, with how to pull it,
 * when `data/` is not what `data.dvc` records, and builds the tests' DVC remote of it.
 */
const DATA_SETUP = 'packages/test-support/src/data-setup.ts';

export default defineConfig({
  test: {
    // test/containers: the container lane's (vitest.containers.config.ts).
    exclude: ['**/node_modules/**', '**/dist/**', 'test/containers/**'],
    // Tests train real models and start real servers: give them room, but
    // never use time as an assertion (benchmarks measure speed).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: [UNIT], globalSetup: [DATA_SETUP] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['**/test/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', 'test/containers/**', UNIT],
          // One trained model per run, shared (as copies) by every suite that needs it.
          globalSetup: [DATA_SETUP, 'packages/test-support/src/model-fixture-setup.ts'],
        },
      },
    ],
  },
});
