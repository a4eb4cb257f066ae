/**
 * `@weir/kafka`: runs a Weir topology as a stream app on Kafka with kafkajs: tasks per
 * sub-topology and partition, exactly-once commits (one transaction per task commit), changelog
 * restore, error handlers, lifecycle and metrics.
 * @packageDocumentation
 */
import { correctReadCommitted } from './internal/read-committed.js';

// Before any consumer fetches: kafkajs 2.2.4 lets records of some aborted transactions through
// to read_committed consumers (see internal/read-committed.ts).
correctReadCommitted();

export { WeirApp, type AppState } from './app.js';
export { WeirSinkApp, type WeirSinkAppConfig } from './sink-app.js';
export type { WeirAppConfig, ProcessingGuarantee } from './config.js';
export {
  CommitMetadataTooLargeError,
  RecordRejectedError,
  RecordTooLargeError,
  TaskMigratedError,
  WeirConfigError,
  WeirRuntimeError,
} from './errors.js';
export {
  type ErrorHandler,
  type FailedRecord,
  type HandlerResponse,
  logAndContinue,
  logAndFail,
  deadLetterTopic,
} from './error-handlers.js';
export { type Logger, type LogLevel, jsonLogger, silentLogger } from './logger.js';
export type { AppMetrics } from './metrics.js';
export { readPartitions, type PartitionRange } from './internal/partition-reader.js';
