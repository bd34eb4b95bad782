import { defineConfig } from 'vitest/config';

// Tests use real sockets and real child processes; keep parallelism modest on 2-core machines
// so that timeouts measure our code, not the scheduler.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
    teardownTimeout: 10_000,
  },
});
