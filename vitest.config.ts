import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/test/**/*.test.ts'],
    // test/containers: the container lane's (vitest.containers.config.ts).
    exclude: ['**/node_modules/**', '**/dist/**', 'test/containers/**'],
    // Tests train real models and start real servers: give them room, but
    // never use time as an assertion (benchmarks measure speed).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
