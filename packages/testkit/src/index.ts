/**
 * @weir/testkit: a real local Apache Kafka broker (KRaft, one combined broker+controller node on
 * 127.0.0.1) for Weir's integration tests and demos.
 *
 * @packageDocumentation
 */
export { KafkaStartError, type KafkaStartErrorContext, type KafkaStartErrorReason } from './errors.js';
export type { BrokerSettingValue } from './internal/config.js';
export { DEFAULT_KAFKA_VERSION } from './internal/paths.js';
export { type KafkaBroker, type RestartOptions, type StartKafkaOptions, startKafka } from './start-kafka.js';
