import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{core,projections,api,replay,property-tests,bench,examples}/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
