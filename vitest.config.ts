import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['graders/**/*.test.ts', 'reference/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts'],
    // End-to-end tests start Python with PyTorch; on two busy cores that takes seconds.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // No check server is used or left behind by the CLIs the tests run, except by the tests of the server, which
    // turn it on in a folder of their own and stop what they start.
    env: { DLGRADE_CHECK_SERVER: 'off' },
    maxWorkers: 2,
    globalSetup: ['test/setup/temporary-folder.ts'],
  },
});
