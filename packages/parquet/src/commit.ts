import type { TableSchema } from '@weir/avro';
import type { PartitionField } from './partitioning.js';

/** What a commit does: add sink output, rewrite files (compaction), or only change metadata. */
export type TableOperation = 'write' | 'compact' | 'schema';

/**
 * A range of offsets of one source partition: `from` inclusive, `to` exclusive, both decimal
 * strings (Kafka offsets are 64-bit). `to` is the consumer position after the range, so the next
 * range starts at `from === to` even when transaction markers sit between records.
 */
export interface SourceRange {
  from: string;
  to: string;
}

/**
 * Source offsets by source partition, keyed `"<topic>:<partition>"`.
 *
 * @example
 * ```ts
 * const sources: SourceOffsets = { 'app-counts-outbox:0': { from: '100', to: '250' } };
 * ```
 */
export type SourceOffsets = Record<string, SourceRange>;

/**
 * Statistics of one column of a data file, JSON-safe: INT64, TIMESTAMP_MICROS and DECIMAL values
 * are strings, TIMESTAMP_MILLIS an ISO timestamp, DATE `YYYY-MM-DD`. `min`/`max` are absent for
 * nested and BYTES columns, all-null columns, and non-finite floats.
 */
export interface ColumnStatistics {
  nullCount: number;
  min?: string | number | boolean;
  max?: string | number | boolean;
}

/** A Parquet file of the table, as a commit records it. */
export interface DataFile {
  /** Path relative to the table directory, `/`-separated: `data/part-....parquet`. */
  path: string;
  /** Number of rows. */
  rows: number;
  /** Size in bytes. */
  bytes: number;
  /** The table schema version the file was written with. */
  schemaVersion: number;
  /** Hive partition values (`{ window_date: '2026-11-26' }`); `{}` when unpartitioned. */
  partition: Record<string, string>;
  /** Statistics of the top-level columns, by name. */
  stats: Record<string, ColumnStatistics>;
  /** The source offsets whose rows the file holds: one range per source partition, or several after a compaction. */
  sources: Record<string, SourceRange[]>;
}

/** A table schema and its version number (1 for the first schema, +1 at every change). */
export interface VersionedSchema {
  version: number;
  columns: TableSchema;
}

/** One numbered commit of a table: the JSON document `_weir_log/<version>.json`. */
export interface Commit {
  /** The table format version of this document (1). */
  formatVersion: number;
  /** The commit number; the file name is this number padded to 20 digits. */
  version: number;
  /** When the commit was created, ISO 8601 UTC. */
  timestamp: string;
  operation: TableOperation;
  /** The Weir version that wrote the commit. */
  weirVersion: string;
  /** The table's name. */
  name: string;
  /** The table schema after this commit. */
  schema: VersionedSchema;
  /** The table's partitioning after this commit. */
  partitionBy: PartitionField[];
  /** Files this commit adds. */
  added: DataFile[];
  /** Paths (relative to the table) of files this commit removes. */
  removed: string[];
  /** Source offsets this commit covers; a sink commit must continue the previous ones. */
  sources: SourceOffsets;
  /** Free text naming the writer (task id, host), for humans. */
  writer?: string;
}
