import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['graders/**/*.test.ts', 'reference/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts'],
    // End-to-end tests start Python with PyTorch; on two busy cores that takes seconds.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
