import path from 'node:path';
import type { Column, TableSchema } from '@weir/avro';
import type { ExternalSource, Serde, SourceBatch, SourceOpenContext, SourceReader, SourceRecord } from '@weir/core';
import { type BadParquetFileError, SourceSchemaError } from '../errors.js';
import { checkSourceColumns } from '../source/check-columns.js';
import { listParquetSource, type ParquetSourceListing } from '../source/list-source.js';
import { type ParquetRowBatch, readParquetRows } from '../source/read-rows.js';
import { openTable } from '../table.js';
import { decodePosition, encodePosition } from './position.js';
import { parquetRowSerde } from './row-serde.js';

/** Options of {@link parquetSource} (and `builder.parquetSource`). */
export interface ParquetSourceOptions<K, V> {
  /** Names the source (its position topic is `<applicationId>-<name>-position`). Default: the location's last path segment without `.parquet`. */
  name?: string;
  /**
   * The column holding event time: `Date` (TIMESTAMP_MILLIS, DATE), `bigint` (INT64 as epoch ms;
   * TIMESTAMP_MICROS is divided by 1000) or `number` (epoch ms). A row whose value is null is
   * dropped and counted, as Kafka Streams skips records with an invalid timestamp. Default: none;
   * records then carry the time of the commit that added their file (Weir table) or 0 (plain files).
   */
  timestampColumn?: string;
  /** Columns forming the key: one column gives its value, several an object of them. Default: none (null keys). */
  keyColumns?: readonly string[];
  /**
   * The columns of the value, by name or typed (`Columns.string('user')`, checked against every
   * file, or the table schema, when the source opens). Only these, the key columns and the
   * timestamp column are read. Default: every column.
   */
  columns?: readonly string[] | TableSchema;
  /** Serde of keys when the stream is repartitioned or dead-lettered. Default: {@link parquetRowSerde}. */
  keySerde?: Serde<K>;
  /** Serde of values when the stream is repartitioned or dead-lettered. Default: {@link parquetRowSerde}. */
  valueSerde?: Serde<V>;
  /**
   * Record order. `'file'`, the only one: files in sorted path order (a directory or glob) or commit
   * order (a Weir table), rows in file order. Default: `'file'`.
   */
  order?: 'file';
  /** For a Weir table: the snapshot version to read. Default: the latest when the source starts (then kept in its position). */
  version?: number;
  /** Skip files that are not readable Parquet, reporting each to `onBadFile`, instead of failing. Default: `false`. */
  skipBadFiles?: boolean;
  /** Called for each file skipped with `skipBadFiles`. Default: a warning on stderr. */
  onBadFile?: (error: BadParquetFileError) => void;
  /** Most records per batch (a batch is processed and committed as a unit). Default: 10_000, never more than a row group. */
  batchRows?: number;
}

const NAME_CHARS = /[^A-Za-z0-9._-]+/g;

/** The default source name: the location's last fixed path segment. */
function defaultName(location: string): string {
  const fixed = location.split(/[*?[{]/)[0]!;
  const base = path.basename(fixed.endsWith('/') || fixed.endsWith(path.sep) ? fixed.slice(0, -1) : fixed) || 'parquet';
  return base.replace(/\.parquet$/i, '').replace(NAME_CHARS, '-') || 'parquet';
}

function isTyped(columns: readonly string[] | TableSchema): columns is TableSchema {
  return columns.length > 0 && typeof columns[0] === 'object';
}

/** Refuses files lacking a column the source reads, naming the column and the file. */
function checkNamedColumns(listing: ParquetSourceListing, names: readonly string[]): void {
  const sources =
    listing.kind === 'table' && listing.table
      ? [{ what: `table ${listing.root} (version ${listing.table.version})`, columns: listing.table.schema }]
      : listing.files.map((file) => ({ what: `Parquet file ${file.path}`, columns: file.columns }));
  for (const name of names) {
    for (const { what, columns } of sources) {
      if (!columns.some((c: Column) => c.name === name)) {
        throw new SourceSchemaError(`Column "${name}" is missing from ${what}`, { context: { file: what } });
      }
    }
  }
}

/** Epoch ms of a timestamp column's value; -1 (dropped and counted by the task) when it has none. */
function timestampOf(value: unknown, micros: boolean): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'bigint') return Number(micros ? value / 1000n : value);
  if (typeof value === 'number') return value;
  return -1;
}

/**
 * Parquet files as a stream's source, exactly-once: `builder.stream(parquetSource(location, options))`
 * (or `builder.parquetSource(location, options)` once `@weir/parquet` is imported).
 *
 * `location` is a file, a directory (its `*.parquet` files), a glob or a Weir table directory (a
 * snapshot, in commit order). Records come in file and row order, read one row group at a time
 * (memory bounded by a row group) and only the columns used. The position (table version, file,
 * row group, row) commits with the task's outputs, so a restart resumes exactly after the last
 * committed batch. The source is bounded: once read, its task idles.
 *
 * @throws SourceSchemaError when the source opens and a file (or the table) lacks a declared column
 * @throws BadParquetFileError naming the file, unless `skipBadFiles`
 * @example
 * builder.stream(parquetSource<string, Click>('/archive/clicks', { keyColumns: ['user'], timestampColumn: 'ts' }))
 *   .filter((user, click) => click.page === '/checkout')
 *   .to('checkouts');
 */
export function parquetSource<K = unknown, V = Record<string, unknown>>(location: string, options: ParquetSourceOptions<K, V> = {}): ExternalSource<K, V> {
  const {
    name = defaultName(location),
    timestampColumn,
    keyColumns = [],
    columns,
    keySerde = parquetRowSerde<K>(),
    valueSerde = parquetRowSerde<V>(),
    order = 'file',
    version,
    skipBadFiles = false,
    onBadFile = (error: BadParquetFileError) => process.stderr.write(`weir: skipping ${error.message}\n`),
    batchRows = 10_000,
  } = options;
  if (order !== 'file') throw new RangeError(`Parquet source order must be 'file', got ${JSON.stringify(order)}`);
  if (!(batchRows >= 1)) throw new RangeError(`batchRows must be at least 1, got ${batchRows}`);
  const declared = columns === undefined ? undefined : isTyped(columns) ? columns.map((c) => c.name) : [...columns];
  // Only these are fetched and decoded; `undefined` reads every column.
  const read = declared === undefined ? undefined : [...new Set([...declared, ...keyColumns, ...(timestampColumn ? [timestampColumn] : [])])];

  async function list(at: number | undefined): Promise<ParquetSourceListing> {
    const listing = await listParquetSource(location, { ...(at === undefined ? {} : { version: at }), skipBadFiles, onBadFile });
    if (columns !== undefined && isTyped(columns)) checkSourceColumns(listing, columns);
    checkNamedColumns(listing, [...(declared ?? []), ...keyColumns, ...(timestampColumn ? [timestampColumn] : [])]);
    return listing;
  }

  /** When no timestamp column: the time of the commit that added each file (tables), else 0. */
  async function fileTimes(listing: ParquetSourceListing): Promise<Map<string, number>> {
    const times = new Map<string, number>();
    if (listing.kind !== 'table' || !listing.table || timestampColumn) return times;
    const table = await openTable(listing.root, { version: listing.table.version });
    for (const commit of table.history()) for (const file of commit.added) times.set(file, commit.timestamp.getTime());
    return times;
  }

  function toRecords(batch: ParquetRowBatch, listing: ParquetSourceListing, times: ReadonlyMap<string, number>): SourceRecord<K, V>[] {
    const file = listing.files.find((f) => f.path === batch.file)!;
    const tsColumn = timestampColumn ? file.columns.find((c) => c.name === timestampColumn) : undefined;
    const micros = tsColumn?.type === 'TIMESTAMP_MICROS';
    const fileTime = times.get(batch.file) ?? 0;
    return batch.rows.map((row) => {
      let key: unknown = null;
      if (keyColumns.length === 1) key = row[keyColumns[0]!] ?? null;
      else if (keyColumns.length > 1) key = Object.fromEntries(keyColumns.map((c) => [c, row[c] ?? null]));
      let value: Record<string, unknown> = row;
      if (declared !== undefined && read!.length !== declared.length) value = Object.fromEntries(declared.map((c) => [c, row[c]]));
      const timestamp = timestampColumn ? timestampOf(row[timestampColumn], micros) : fileTime;
      return { key: key as K, value: value as V, timestamp };
    });
  }

  return {
    name,
    keySerde,
    valueSerde,
    describe: () => `parquet ${location}`,
    async followingOffsets() {
      const listing = await listParquetSource(location, { ...(version === undefined ? {} : { version }), skipBadFiles, onBadFile });
      return listing.table?.sourceOffsets;
    },
    async open(context: SourceOpenContext): Promise<SourceReader<K, V>> {
      const from = context.position === undefined ? undefined : decodePosition(context.position);
      const listing = await list(from?.version ?? version);
      const times = await fileTimes(listing);
      const pinned = listing.table?.version;
      const batches = readParquetRows(listing, {
        ...(read === undefined ? {} : { columns: read }),
        ...(from === undefined ? {} : { from }),
        skipBadFiles,
        onBadFile,
        batchRows,
        ...(context.signal ? { signal: context.signal } : {}),
      })[Symbol.asyncIterator]();
      return {
        async read(): Promise<SourceBatch<K, V> | undefined> {
          const next = await batches.next();
          if (next.done) return undefined;
          const batch = next.value;
          return {
            records: toRecords(batch, listing, times),
            position: encodePosition({ ...batch.next, ...(pinned === undefined ? {} : { version: pinned }) }),
          };
        },
        async close() {
          await batches.return?.(undefined);
        },
      };
    },
  };
}
