import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites share one Redis; each uses its own key prefix, but running files
    // in parallel on a 2-core machine makes timing-sensitive tests flaky.
    fileParallelism: false,
  },
});
