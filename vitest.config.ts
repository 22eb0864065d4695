import os from 'node:os';
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
    // Two test files per core: end-to-end files spend about a fifth of their time waiting on children (time limits,
    // sleeping submissions, servers), and the other files keep the cores busy meanwhile. Measured on two cores:
    // 750 s with two workers, 693 s with three, 665 s and 723 s (two runs) with four.
    maxWorkers: Math.min(8, 2 * os.availableParallelism()),
    globalSetup: ['test/setup/temporary-folder.ts'],
  },
});
