import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Cross-package integration tests against one real Kafka broker per run (see global-setup.ts).
 * Run with `npm run test:integration`; set KAFKA_BROKERS to use a broker that is already up.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // A broker round trip, a rebalance or a transaction takes seconds on 2 cores, not millis.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One file at a time: the broker and the tests share 2 cores, and rebalance timing suffers
    // when files compete.
    fileParallelism: false,
  },
});
