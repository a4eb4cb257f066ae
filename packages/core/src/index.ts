/**
 * `@weir/core`: the topology DSL, the Processor API, windows, serdes and the task engine shared
 * by the TestDriver (`@weir/core/testing`) and the Kafka runtime (`@weir/kafka`).
 * @packageDocumentation
 */
export * from './errors.js';
export type { Serde, RecordHeaders } from './serde/serde.js';
export { Serdes } from './serde/serdes.js';
export { type Change, changeSerde, timestampedSerde, windowedSerde } from './serde/internal-serdes.js';
export { type StreamRecord, type RecordMetadata, type KeyValue, keyValue, withRecord } from './record.js';

// Processor API
export {
  PunctuationType,
  type Cancellable,
  type DropReason,
  type Processor,
  type ProcessorContext,
  type ProcessorSupplier,
} from './processor/processor.js';

// Windows
export type { Window, Windowed } from './windows/windowed.js';
export { windowed } from './windows/windowed.js';
export { TimeWindows } from './windows/time-windows.js';
export { SlidingWindows } from './windows/sliding-windows.js';
export { SessionWindows } from './windows/session-windows.js';
export { JoinWindows } from './windows/join-windows.js';
export { EmitStrategy } from './windows/emit-strategy.js';

// DSL
export { StreamsBuilder, GlobalKTable, type StreamOptions } from './dsl/streams-builder.js';
export type { StreamsBuilderOptions } from './dsl/internal-builder.js';
export { KStream, BranchedKStream } from './dsl/kstream.js';
export { KTable } from './dsl/ktable.js';
export { KGroupedStream } from './dsl/kgrouped-stream.js';
export { KGroupedTable } from './dsl/kgrouped-table.js';
export { TimeWindowedKStream } from './dsl/time-windowed-kstream.js';
export { SessionWindowedKStream } from './dsl/session-windowed-kstream.js';
export { Suppressed } from './dsl/suppressed.js';
export { Stores, type StoreOptions } from './dsl/stores-factory.js';
export {
  Consumed,
  Produced,
  Materialized,
  Grouped,
  Repartitioned,
  Named,
  Joined,
  StreamJoined,
} from './dsl/config.js';

// External sinks (Parquet and other destinations fed through outbox topics)
export {
  type ExternalSink,
  type ExternalSinkDefinition,
  type OutboxRecord,
  type SinkPartitionContext,
  type SinkPartitionWriter,
  isExternalSink,
} from './sink/external-sink.js';

// External sources (Parquet files and other bounded sources read exactly-once, backfills)
export {
  type ExternalSource,
  type ExternalSourceDefinition,
  type SourceBatch,
  type SourceOpenContext,
  type SourceProgress,
  type SourceReader,
  type SourceRecord,
  isExternalSource,
} from './source/external-source.js';
export { backfillStartOffset } from './source/backfill.js';
export { defaultPartition, murmur2 } from './source/default-partitioner.js';

// Topology
export { Topology, type Subtopology, type InternalTopics } from './topology/topology.js';
export type {
  TimestampExtractor,
  TopicNameExtractor,
  StreamPartitioner,
  TopologyNode,
  SourceNode,
  ProcessorNode,
  SinkNode,
  GlobalStoreDefinition,
} from './topology/graph.js';
export type { StoreDefinition, StoreType } from './topology/store-definition.js';

// State
export type {
  StateStore,
  KeyValueStore,
  ReadOnlyKeyValueStore,
  WindowStore,
  ReadOnlyWindowStore,
  WindowEntry,
  SessionStore,
  ReadOnlySessionStore,
  ValueAndTimestamp,
} from './state/stores.js';
export type {
  BytesStore,
  StoreWrite,
  StoreRangeDelete,
  StoreCheckpoint,
  StateCommit,
  TaskStateBackend,
  StateBackendFactory,
} from './state/backend.js';
export * as StoreKeys from './state/key-encoding.js';
export { InMemoryStateBackendFactory } from './state/internal/in-memory-backend.js';
export { openCommittedStore, openStore } from './runtime/open-store.js';

// Task engine (used by @weir/kafka)
export { Task, type TaskOptions, type TaskMetadata, type TaskCounters, type PreparedCommit } from './runtime/task.js';
export { GlobalStateTask } from './runtime/global-task.js';
export type { InputRecord, OutputRecord, RecordCollector } from './runtime/output.js';
