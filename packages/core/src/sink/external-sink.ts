import type { Serde } from '../serde/serde.js';

/** One record of a sink's outbox, as the sink receives it. */
export interface OutboxRecord<K, V> {
  /** Offset in the outbox partition (Kafka's, or a counter in the TestDriver). */
  readonly offset: bigint;
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
}

/** Where a sink partition writer runs. */
export interface SinkPartitionContext {
  readonly applicationId: string;
  /** The outbox topic's full name. */
  readonly outboxTopic: string;
  readonly partition: number;
}

/**
 * Writes one outbox partition into the external system. The runtime drives it:
 * `recover()` once, then `write()` batches in offset order and `commit()` when `shouldCommit()`
 * says so (or at shutdown). Everything written since the last commit is discarded if the writer
 * is closed without committing; the runtime then resumes from `recover()` again.
 */
export interface SinkPartitionWriter<K, V> {
  /**
   * Restores the writer from the sink's own commit log (never from consumer-group offsets) and
   * removes leftovers of an interrupted write.
   * @returns the next outbox offset the sink does not hold yet
   */
  recover(): Promise<bigint>;
  /** Adds records (consecutive, in offset order) to the pending output. */
  write(records: readonly OutboxRecord<K, V>[]): Promise<void>;
  /** Whether pending output should be committed now (file roll by rows, bytes or time). */
  shouldCommit(now: number): boolean;
  /**
   * Makes pending output durable and visible, recording that it covers outbox offsets up to
   * `nextOffset` (exclusive). Must refuse (throw) if another writer committed this range.
   */
  commit(nextOffset: bigint): Promise<void>;
  /** Releases resources; pending output is discarded. */
  close(): Promise<void>;
}

/**
 * A destination outside Kafka fed exactly-once (Parquet tables, later object stores): the
 * topology writes its records to an internal outbox topic `<applicationId>-<name>-outbox` inside
 * the task's transaction; sink partition writers consume the outbox `read_committed` and commit
 * to the destination with the outbox offsets they cover.
 */
export interface ExternalSink<K, V> {
  /** Unique within a topology: names the sink node and the outbox topic. */
  readonly name: string;
  /** How outbox keys and values are encoded. */
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  /** Opens the writer of one outbox partition. */
  openPartition(context: SinkPartitionContext): SinkPartitionWriter<K, V>;
  /**
   * Checks that a record can be written, throwing an error that names the field and value when
   * not. It runs in the task, before the outbox, so a record that does not fit goes to the
   * processing error handler (log, dead letter) instead of stopping the sink later.
   */
  check?(key: K, value: V, timestamp: number): void;
}

/** Whether a `to()` target is an external sink rather than a topic. */
export function isExternalSink(target: unknown): target is ExternalSink<unknown, unknown> {
  return typeof target === 'object' && target !== null && typeof (target as ExternalSink<unknown, unknown>).openPartition === 'function';
}

/** A sink as the compiled topology lists it. */
export interface ExternalSinkDefinition {
  readonly sink: ExternalSink<unknown, unknown>;
  /** The outbox topic, named without the application id prefix. */
  readonly outboxTopic: string;
  /** The sink node writing to the outbox. */
  readonly nodeName: string;
}
