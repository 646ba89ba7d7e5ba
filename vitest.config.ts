import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Tests train real models and start real servers: give them room, but
    // never use time as an assertion (benchmarks measure speed).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
