import path from 'node:path';
import type { TableSchema } from '@weir/avro';
import { type ExternalSink, type OutboxRecord, type Serde, type SinkPartitionWriter, Serdes } from '@weir/core';
import type { ParquetCodec } from './codec.js';
import { AlreadyCommittedError } from './errors.js';
import { encodeValue } from './internal/encode-values.js';
import type { PartitionField } from './partitioning.js';
import type { TableRow } from './table-scan.js';
import { TableWriter } from './table-writer.js';
import { cleanupTempFiles } from './vacuum.js';

/** When a sink partition finishes its file and commits it. */
export interface RollPolicy {
  /** After this many rows. Default: 100_000. */
  rows?: number;
  /** After this much wall time since the first pending row, in ms. Default: 10_000. */
  intervalMs?: number;
}

/** Options of {@link parquetSink}. */
export interface ParquetSinkOptions<K, V> {
  /** Names the sink node and its outbox topic `<applicationId>-<name>-outbox`. Default: the directory's name. */
  name?: string;
  /** The table's columns. Required. */
  schema: TableSchema;
  /** Serde of the stream's keys on the outbox. Default: JSON. Windowed keys: `windowedSerde(inner)`. */
  keySerde?: Serde<K>;
  /** Serde of the stream's values on the outbox. Default: JSON. */
  valueSerde?: Serde<V>;
  /**
   * Turns a record into a row. Default: the key's fields (or `key`), `window_start` and
   * `window_end` (Dates) for windowed keys, and the value's fields (or `value`).
   */
  toRow?: (key: K, value: V, timestamp: number) => TableRow;
  /** Dictionary-encoded key columns, and the default sort. Default: `['key']` if the schema has it. */
  keyColumns?: string[];
  /** Sort within each file. Default: `keyColumns`, then `window_start` if present. */
  sortBy?: string[];
  /** Hive-style partitioning, e.g. `[{ name: 'window_date', column: 'window_start', transform: 'day' }]`. */
  partitionBy?: PartitionField[];
  /** Default: `'SNAPPY'`. */
  codec?: ParquetCodec;
  /** Rows per row group. Default: 100_000. */
  rowGroupSize?: number;
  /** When files roll. */
  roll?: RollPolicy;
}

function isWindowed(key: unknown): key is { key: unknown; window: { start: number; end: number } } {
  return typeof key === 'object' && key !== null && 'window' in key && 'key' in key;
}

/** The default record-to-row mapping: see {@link ParquetSinkOptions.toRow}. */
export function defaultRow(key: unknown, value: unknown): TableRow {
  const row: TableRow = {};
  const inner = isWindowed(key) ? key.key : key;
  if (typeof inner === 'object' && inner !== null && !(inner instanceof Date)) Object.assign(row, inner);
  else row.key = inner;
  if (isWindowed(key)) {
    row.window_start = new Date(key.window.start);
    row.window_end = new Date(key.window.end);
  }
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) Object.assign(row, value);
  else row.value = value;
  return row;
}

/**
 * A Parquet table as a stream's destination, exactly-once: `stream.to(parquetSink(dir, options))`.
 *
 * Records travel in the task's transaction to the outbox topic; a writer per outbox partition
 * buffers rows until the roll policy fires, then writes the files (temp name, fsync, rename to a
 * name derived from the outbox offsets) and commits them to the table's log together with the
 * offsets they cover. Recovery resumes from the log. Windowed aggregations become rows with the
 * key's columns, `window_start`, `window_end` and the aggregate's columns.
 *
 * @example
 * views.groupBy((u, v) => v.page).windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000))
 *   .emitStrategy(EmitStrategy.onWindowClose()).count().toStream()
 *   .to(parquetSink('/data/page-views', {
 *     schema: [Columns.string('key'), Columns.timestampMillis('window_start'), Columns.timestampMillis('window_end'), Columns.int64('value')],
 *     keySerde: windowedSerde(Serdes.String()),
 *     toRow: (k, n) => ({ key: k.key, window_start: new Date(k.window.start), window_end: new Date(k.window.end), value: BigInt(n) }),
 *   }));
 */
export function parquetSink<K, V>(dir: string, options: ParquetSinkOptions<K, V>): ExternalSink<K, V> {
  const name = options.name ?? path.basename(path.resolve(dir)).replace(/[^A-Za-z0-9._-]/g, '-');
  const hasColumn = (column: string) => options.schema.some((c) => c.name === column);
  const keyColumns = options.keyColumns ?? (hasColumn('key') ? ['key'] : []);
  const sortBy = options.sortBy ?? [...keyColumns, ...(hasColumn('window_start') ? ['window_start'] : [])];
  const toRow = options.toRow ?? ((key: K, value: V) => defaultRow(key, value));
  const roll = { rows: options.roll?.rows ?? 100_000, intervalMs: options.roll?.intervalMs ?? 10_000 };
  return {
    name,
    check(key: K, value: V, timestamp: number) {
      const row = toRow(key, value, timestamp);
      for (const column of options.schema) encodeValue(column, row[column.name]);
    },
    keySerde: options.keySerde ?? Serdes.Json<K>(),
    valueSerde: options.valueSerde ?? Serdes.Json<V>(),
    openPartition({ outboxTopic, partition }): SinkPartitionWriter<K, V> {
      const source = `${outboxTopic}:${partition}`;
      let writer: TableWriter | undefined;
      let committed = 0n;
      let rows: TableRow[] = [];
      let firstPendingAt = 0;
      return {
        async recover() {
          // Temp files of a crashed write: only old ones, a young one may be another partition's.
          await cleanupTempFiles(dir, { olderThanMs: 60 * 60_000 }).catch(() => []);
          writer = await TableWriter.open(dir, {
            schema: options.schema,
            name,
            keyColumns,
            sortBy,
            writer: `${outboxTopic}-${partition}`,
            ...(options.partitionBy ? { partitionBy: options.partitionBy } : {}),
            ...(options.codec ? { codec: options.codec } : {}),
            ...(options.rowGroupSize ? { rowGroupSize: options.rowGroupSize } : {}),
          });
          const offsets = await writer.sourceOffsets();
          committed = BigInt(offsets[source] ?? '0');
          rows = [];
          return committed;
        },
        async write(records: readonly OutboxRecord<K, V>[]) {
          if (rows.length === 0 && records.length > 0) firstPendingAt = Date.now();
          for (const r of records) rows.push(toRow(r.key, r.value, r.timestamp));
        },
        shouldCommit(now: number) {
          return rows.length >= roll.rows || (rows.length > 0 && now - firstPendingAt >= roll.intervalMs);
        },
        async commit(nextOffset: bigint) {
          if (!writer) throw new Error(`parquet sink ${name}: commit() before recover()`);
          if (nextOffset <= committed) return;
          try {
            await writer.write(rows, { sources: { [source]: { from: committed.toString(), to: nextOffset.toString() } } });
          } catch (error) {
            // A replay of a range the table already holds: nothing to add.
            if (!(error instanceof AlreadyCommittedError)) throw error;
          }
          committed = nextOffset;
          rows = [];
        },
        async close() {
          rows = [];
        },
      };
    },
  };
}
