import { defineConfig } from 'vitest/config';

// The container lane's tests (.ci/containers/lane.sh): they build and run
// real images against a Docker engine, so they run in their own lane, not in
// npm test, one file at a time (each build takes the machine's cores).
export default defineConfig({
  test: {
    include: ['test/containers/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 120_000,
    hookTimeout: 15 * 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
