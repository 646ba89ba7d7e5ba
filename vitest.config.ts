import { defineConfig } from 'vitest/config';

/**
 * Unit tests end in `.unit.test.ts`: they start no process and no server, load no trained
 * model and call no program outside Node, so `npm run test:unit` needs nothing but the
 * checkout (and the dataset's CSV). Every other `*.test.ts` is an integration test.
 * `test/test-projects.unit.test.ts` checks that the unit files keep to that.
 */
const UNIT = '**/test/**/*.unit.test.ts';

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
      { extends: true, test: { name: 'unit', include: [UNIT] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['**/test/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', 'test/containers/**', UNIT],
          // One trained model per run, shared (as copies) by every suite that needs it.
          globalSetup: ['packages/test-support/src/model-fixture-setup.ts'],
        },
      },
    ],
  },
});
