import { defineConfig } from 'vitest/config';

// Tests use real sockets and real child processes (a relay path is 3-4 processes). On a 2-core
// machine two such files at once starve each other, so CI runs files one at a time: slower, but
// the invariants (counts, bytes, windows that complete transactions) hold without flakiness.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: process.env['CI'] ? 1 : 2,
    teardownTimeout: 10_000,
  },
});
