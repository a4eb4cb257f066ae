import type { RecordHeaders } from '../serde/serde.js';

/** A serialized record a task sends to a topic: a sink's output or a store's changelog entry. */
export interface OutputRecord {
  /** The full topic name (internal topics already prefixed with the application id). */
  readonly topic: string;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly timestamp: number;
  readonly headers: RecordHeaders;
  /** A fixed partition (changelogs: the task's partition). */
  readonly partition?: number;
  /** Chooses the partition given the topic's partition count; `undefined` means hash the key. */
  readonly partitioner?: (numPartitions: number) => number | undefined;
}

/** Where a task sends its output; the runtime batches it into the commit's transaction. */
export interface RecordCollector {
  send(record: OutputRecord): void;
}

/** A consumed record, as the runtime hands it to a task. */
export interface InputRecord {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offset as a decimal string. */
  readonly offset: string;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly timestamp: number;
  readonly headers: RecordHeaders;
}
