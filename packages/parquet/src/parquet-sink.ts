import path from 'node:path';
import type { TableSchema } from '@weir/avro';
import { type ExternalSink, type OutboxRecord, type Serde, type SinkPartitionWriter, Serdes } from '@weir/core';
import type { ParquetCodec } from './codec.js';
import { AlreadyCommittedError, InvalidRowError, TableError } from './errors.js';
import { encodeValue } from './internal/encode-values.js';
import { estimateBytes, eventTimeOf, type ResolvedRoll, RollState } from './internal/sink-roll.js';
import type { PartitionField } from './partitioning.js';
import type { TableRow } from './table-scan.js';
import { deriveSinkSchema } from './sink-schema.js';
import { TableWriter } from './table-writer.js';
import { cleanupTempFiles } from './vacuum.js';

/**
 * When a sink partition finishes its file(s) and commits them: whichever limit is reached first.
 * A commit writes one file per Hive partition directory, so the limits bound each file.
 */
export interface RollPolicy {
  /** After this many rows: a file never holds more. Default: 100_000. */
  rows?: number;
  /**
   * After this many bytes of pending rows, estimated as rows arrive (strings by length, numbers,
   * bigints and dates 8, booleans 1; no encoding is done): roughly the uncompressed size, so a
   * file is usually smaller than this (dictionary encoding and compression), rarely larger. It
   * also bounds the memory pending rows hold. Default: 128 MiB.
   */
  bytes?: number;
  /** After this much wall time since the first pending row, in ms: the visibility delay. Default: 10_000. */
  intervalMs?: number;
  /**
   * Files never straddle an epoch-aligned span of this many ms of event time (e.g. `3_600_000`:
   * each file holds rows of one UTC hour). A row whose span differs from the pending rows' span
   * commits them first. Aligned spans rather than "at most this much apart": an analyst asking
   * for hourly files expects 10:00-11:00, not 10:17-11:17. Rows arriving out of order across a
   * boundary make smaller files (each switch rolls). Default: none.
   */
  eventTimeMs?: number;
  /**
   * The event time of `eventTimeMs`: a TIMESTAMP (or epoch-ms number) column of the row, such as
   * `'window_start'`. Default: the record's timestamp (for an emit-final windowed aggregation,
   * the largest timestamp in the window, so it falls in the window).
   */
  eventTimeColumn?: string;
}

/** Options of {@link parquetSink}. */
export interface ParquetSinkOptions<K, V> {
  /** Names the sink node and its outbox topic `<applicationId>-<name>-outbox`. Default: the directory's name. */
  name?: string;
  /**
   * The table's columns. Default: derived from the serdes (see {@link deriveSinkSchema}): the
   * key's columns (fields of an Avro record key, else `key`), `window_start`/`window_end` for a
   * {@link windowedKeySerde} key, then the value's (fields of an Avro record value via
   * `avroToColumns`, else `value`). Required when the serdes carry no schema (JSON).
   */
  schema?: TableSchema;
  /**
   * Serde of the stream's keys on the outbox. Default: JSON. Windowed keys: `windowedKeySerde(inner)`
   * (core's `windowedSerde(inner)` works too, but then the schema cannot be derived).
   */
  keySerde?: Serde<K>;
  /** Serde of the stream's values on the outbox; an Avro serde lets the schema be derived. Default: JSON. */
  valueSerde?: Serde<V>;
  /**
   * Turns a record into a row. Default: the key's fields (or `key`), `window_start` and
   * `window_end` (Dates) for windowed keys, and the value's fields (or `value`).
   */
  toRow?: (key: K, value: V, timestamp: number) => TableRow;
  /**
   * Dictionary-encoded key columns, and the default sort. Default: the derived schema's scalar key
   * columns; with an explicit schema, `['key']` if it has it.
   */
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

function resolveRoll(name: string, roll: RollPolicy = {}): ResolvedRoll {
  const { rows = 100_000, bytes = 128 * 1024 * 1024, intervalMs = 10_000, eventTimeMs = 0 } = roll;
  for (const [field, value] of Object.entries({ rows, bytes, intervalMs, eventTimeMs })) {
    if (!Number.isFinite(value) || value < 0 || (value === 0 && field !== 'eventTimeMs' && field !== 'intervalMs')) {
      throw new TableError(`parquet sink ${name}: roll.${field} must be a positive number, got ${value}`);
    }
  }
  return { rows, bytes, intervalMs, eventTimeMs };
}

function isWindowed(key: unknown): key is { key: unknown; window: { start: number; end: number } } {
  return typeof key === 'object' && key !== null && 'window' in key && 'key' in key;
}

/** A record (its fields become columns), not a value that is one column (Date, bytes, list). */
function isRecord(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !(value instanceof Date) && !ArrayBuffer.isView(value) && !Array.isArray(value);
}

/** The default record-to-row mapping: see {@link ParquetSinkOptions.toRow}. */
export function defaultRow(key: unknown, value: unknown): TableRow {
  return rowOf(key, value, undefined, undefined);
}

/**
 * `keyFields`/`valueFields`: whether the key's (value's) fields are the columns, as a derived
 * schema knows (an Avro map value is one column although it is a plain object); `undefined`
 * guesses from the value.
 */
function rowOf(key: unknown, value: unknown, keyFields: boolean | undefined, valueFields: boolean | undefined): TableRow {
  const row: TableRow = {};
  const inner = isWindowed(key) ? key.key : key;
  if (keyFields ?? isRecord(inner)) Object.assign(row, inner);
  else row.key = inner;
  if (isWindowed(key)) {
    row.window_start = new Date(key.window.start);
    row.window_end = new Date(key.window.end);
  }
  if ((valueFields ?? isRecord(value)) && value !== null) Object.assign(row, value);
  else row.value = value;
  return row;
}

/**
 * A Parquet table as a stream's destination, exactly-once: `stream.to(parquetSink(dir, options))`,
 * or `stream.toParquet(dir, options)` once `@weir/parquet` is imported.
 *
 * Records travel in the task's transaction to the outbox topic; a writer per outbox partition
 * buffers rows until the roll policy fires, then writes the files (temp name, fsync, rename to a
 * name derived from the outbox offsets) and commits them to the table's log together with the
 * offsets they cover. Recovery resumes from the log. Windowed aggregations become rows with the
 * key's columns, `window_start`, `window_end` and the aggregate's columns.
 *
 * The schema is derived from Avro serdes when not given (see {@link ParquetSinkOptions.schema}).
 *
 * @throws TableError (when called) if no schema is given and the serdes carry none, or the roll policy is invalid
 * @example
 * // Derived schema: key STRING, window_start, window_end, then the Avro value's fields.
 * counts.toStream().to(parquetSink('/data/page-stats', {
 *   keySerde: windowedKeySerde(Serdes.String()),
 *   valueSerde: avroSerde<PageStats>(pageStatsSchema),
 * }));
 * @example
 * // Explicit schema and mapping.
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
  const derived = options.schema === undefined ? deriveSinkSchema(name, options.keySerde, options.valueSerde) : undefined;
  const schema = options.schema ?? derived!.schema;
  const hasColumn = (column: string) => schema.some((c) => c.name === column);
  const keyColumns = options.keyColumns ?? derived?.keyColumns ?? (hasColumn('key') ? ['key'] : []);
  const sortBy = options.sortBy ?? [...keyColumns, ...(hasColumn('window_start') ? ['window_start'] : [])];
  const toRow = options.toRow ?? ((key: K, value: V) => rowOf(key, value, derived?.keyFields, derived?.valueFields));
  const roll = resolveRoll(name, options.roll);
  const eventTimeColumn = options.roll?.eventTimeColumn;
  const eventTime = (row: TableRow, timestamp: number): number => {
    if (eventTimeColumn === undefined) return timestamp;
    const time = eventTimeOf(row[eventTimeColumn]);
    if (time === undefined) {
      throw new InvalidRowError(
        `parquet sink ${name}: roll.eventTimeColumn "${eventTimeColumn}" holds ${String(row[eventTimeColumn])}, not a timestamp`,
      );
    }
    return time;
  };
  return {
    name,
    check(key: K, value: V, timestamp: number) {
      const row = toRow(key, value, timestamp);
      for (const column of schema) encodeValue(column, row[column.name]);
      if (roll.eventTimeMs > 0) eventTime(row, timestamp);
    },
    keySerde: options.keySerde ?? Serdes.Json<K>(),
    valueSerde: options.valueSerde ?? Serdes.Json<V>(),
    openPartition({ outboxTopic, partition }): SinkPartitionWriter<K, V> {
      const source = `${outboxTopic}:${partition}`;
      let writer: TableWriter | undefined;
      let committed = 0n;
      /** The next offset this writer lacks: `committed` plus the pending rows. */
      let position = 0n;
      let rows: TableRow[] = [];
      const pending = new RollState(roll);
      /** Set when a write to the table failed: the writer refuses to go on until recovered. */
      let failure: Error | undefined;
      /** Writes the pending rows as files and commits them with the outbox range `[committed, to)`. */
      const flush = async (to: bigint): Promise<void> => {
        if (failure) throw failure;
        if (!writer) throw new Error(`parquet sink ${name}: commit() before recover()`);
        if (to <= committed) return;
        try {
          await writer.write(rows, { sources: { [source]: { from: committed.toString(), to: to.toString() } } });
        } catch (error) {
          // A replay of a range the table already holds: nothing to add.
          if (!(error instanceof AlreadyCommittedError)) {
            failure = writeFailure(error, committed, to);
            throw failure;
          }
        }
        committed = to;
        rows = [];
        pending.reset();
      };
      /**
       * Disk full, a directory that cannot be written, a lost race with a zombie: the pending rows
       * are not in the table, and nothing after `from` is. The outbox still holds them, so a restart
       * (recover, then read from `from`) loses and duplicates nothing once the fault is repaired.
       */
      const writeFailure = (error: unknown, from: bigint, to: bigint): Error => {
        const code = (error as { code?: unknown }).code;
        if (typeof code !== 'string') return error as Error;
        return new TableError(
          `parquet sink ${name} cannot write table ${path.resolve(dir)} (${(error as Error).message}): outbox ${source} ` +
            `offsets ${from}..${to} were not committed; the sink stops, and resumes from offset ${from} once restarted after the fault is repaired`,
          { cause: error, context: { file: path.resolve(dir) } },
        );
      };
      return {
        async recover() {
          rows = [];
          pending.reset();
          failure = undefined;
          try {
            // Temp files of a crashed write: only old ones, a young one may be another partition's.
            await cleanupTempFiles(dir, { olderThanMs: 60 * 60_000 }).catch(() => []);
            writer = await TableWriter.open(dir, {
              schema,
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
            position = committed;
            // An incompatible schema (a changed type, a new non-nullable field) stops the sink,
            // naming the field, before any file is written.
            await writer.checkSchema();
          } catch (error) {
            // Not thrown from here: a failed recovery is reported by commit(), like a failed
            // write. The runtime stops the app on an error from commit(); one thrown from
            // recover() inside a consumer batch is retried by kafkajs, quietly, for ever. A
            // failed writer writes nothing, so the offset returned only positions the consumer.
            failure =
              typeof (error as { code?: unknown }).code === 'string'
                ? new TableError(`parquet sink ${name} cannot open table ${path.resolve(dir)} (${(error as Error).message}): the sink stops`, {
                    cause: error,
                    context: { file: path.resolve(dir) },
                  })
                : (error as Error);
          }
          return committed;
        },
        async write(records: readonly OutboxRecord<K, V>[]) {
          // After a failure nothing more is taken: commit() reports the failure (the runtime
          // stops the sink), and a restart re-reads these records from the outbox.
          if (failure) return;
          const now = Date.now();
          for (const r of records) {
            // A batch handed again after a failed write() (the consumer retries it): the rows
            // already pending or committed must not be added twice.
            if (r.offset < position) continue;
            const row = toRow(r.key, r.value, r.timestamp);
            const bucket = roll.eventTimeMs > 0 ? pending.bucketOf(eventTime(row, r.timestamp)) : undefined;
            // Rolls happen here, at the exact record, not after the batch: a batch may hold
            // many files' worth of rows, or rows on both sides of an event-time boundary. The
            // range ends at this record's offset: the next commit starts exactly there.
            if (pending.crossesBoundary(bucket)) await flush(r.offset);
            rows.push(row);
            position = r.offset + 1n;
            pending.add(estimateBytes(row), bucket, now);
            if (pending.full()) await flush(r.offset + 1n);
          }
        },
        shouldCommit(now: number) {
          // A failed writer asks for a commit so that the runtime hears of the failure soon.
          return failure !== undefined || pending.due(now);
        },
        async commit(nextOffset: bigint) {
          await flush(nextOffset);
        },
        async close() {
          rows = [];
          pending.reset();
          position = committed;
        },
      };
    },
  };
}
