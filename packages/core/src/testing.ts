/**
 * `@weir/core/testing`: the TestDriver, to test topologies in memory without Kafka.
 * @packageDocumentation
 */
export { TestDriver, TestInputTopic, TestOutputTopic } from './testing/test-driver.js';
export type { TestDriverOptions, TestRecord } from './testing/test-driver.js';
export { InMemoryStateBackendFactory } from './state/internal/in-memory-backend.js';
