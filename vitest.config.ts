import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // Most suites wait on I/O (HTTP, Postgres, child processes), so two workers pay off even on 2 cores.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    // auth-js console.error()s every network failure and timeout; the rollback suites cause hundreds on purpose.
    onConsoleLog: (log) => !/TypeError: fetch failed|TimeoutError/.test(log),
  },
});
