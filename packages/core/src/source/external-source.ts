import type { Serde } from '../serde/serde.js';

/** One record read from an external source, already decoded. */
export interface SourceRecord<K, V> {
  readonly key: K;
  readonly value: V;
  /** Event time in epoch milliseconds. */
  readonly timestamp: number;
}

/** Records read together, and where reading continues after them. */
export interface SourceBatch<K, V> {
  readonly records: readonly SourceRecord<K, V>[];
  /**
   * The position right after the batch's last record, serialized by the source. Committed with
   * the task's outputs; `open()` with it resumes at the next record. Keep it short: it rides in
   * the offset commit's metadata (Kafka's `offset.metadata.max.bytes`, 4096 by default).
   */
  readonly position: string;
}

/** Reads a source from a position on, one bounded batch at a time. */
export interface SourceReader<K, V> {
  /** The next batch (bounded: about one row group), or `undefined` once the source is exhausted. */
  read(): Promise<SourceBatch<K, V> | undefined>;
  /** Releases files and buffers. */
  close(): Promise<void>;
}

/** Where a source reader is opened. */
export interface SourceOpenContext {
  readonly applicationId: string;
  /** The position committed earlier (from a `SourceBatch`), or `undefined` to start at the beginning. */
  readonly position: string | undefined;
  /** Aborted when the task is closed; a reader may stop reading early. */
  readonly signal?: AbortSignal;
}

/**
 * A bounded source of records outside Kafka (Parquet files, later object stores), read into a
 * topology exactly-once. The counterpart of `ExternalSink`: the runtime opens a reader at the
 * position committed with the task's last transaction, processes batch after batch like consumed
 * records, and commits the position reached together with the outputs and changelogs it caused.
 * A restart therefore resumes exactly where the last commit left off.
 */
export interface ExternalSource<K, V> {
  /** Unique within a topology: names the source node's position topic `<applicationId>-<name>-position`. */
  readonly name: string;
  /** How keys are serialized when needed (repartitioning, dead letters, backfill partitioning). */
  readonly keySerde: Serde<K>;
  /** How values are serialized when needed (dead letters). */
  readonly valueSerde: Serde<V>;
  /** Opens a reader at `context.position`. */
  open(context: SourceOpenContext): Promise<SourceReader<K, V>>;
  /** One line for `Topology.describe()`, e.g. `parquet /data/clicks`. Default: the name. */
  describe?(): string;
  /**
   * For a backfill: the offsets of the live topic right after the data this source holds, as
   * `"<topic>:<partition>" -> offset` (a Weir table's commit log records them). `undefined` when
   * the source does not know.
   */
  followingOffsets?(): Promise<Readonly<Record<string, string>> | undefined>;
}

/** Whether `target` is an external source rather than a topic name. */
export function isExternalSource(target: unknown): target is ExternalSource<unknown, unknown> {
  return (
    typeof target === 'object' &&
    target !== null &&
    typeof (target as ExternalSource<unknown, unknown>).open === 'function' &&
    typeof (target as ExternalSource<unknown, unknown>).name === 'string'
  );
}

/** How far a task has read an external source; part of the task metadata it commits. */
export interface SourceProgress {
  /** The position after the last processed batch; absent before the first. */
  readonly position?: string;
  /** Set once the source is exhausted (a backfill then hands over to its topic). */
  readonly ended?: boolean;
}

/** An external source as the compiled topology lists it. */
export interface ExternalSourceDefinition {
  readonly source: ExternalSource<unknown, unknown>;
  /** The node the source's records enter through. */
  readonly nodeName: string;
  /**
   * `'stream'`: `builder.stream(source)`, a sub-topology of its own with one task that reads the
   * internal 1-partition position topic `positionTopic` (never written: its committed offset
   * carries the task's metadata and its assignment decides which instance runs the source).
   * `'backfill'`: `builder.stream(topic, { backfill })`, read by every task of the topic's
   * sub-topology (each keeping the records of its partition) before the topic itself.
   */
  readonly kind: 'stream' | 'backfill';
  /** `'stream'`: the position topic, named without the application id prefix. */
  readonly positionTopic?: string;
  /** `'backfill'`: the live topic the backfill precedes. */
  readonly topic?: string;
  /** `'backfill'`: explicit start offsets of the live topic (`"<topic>:<partition>" -> offset`). */
  readonly offsets?: Readonly<Record<string, string>>;
}
