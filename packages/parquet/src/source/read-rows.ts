import path from 'node:path';
import type { Column } from '@weir/avro';
import { BadParquetFileError, SourceSchemaError, TableError } from '../errors.js';
import { decodeValue } from '../internal/decode-values.js';
import { evolveValue } from '../internal/evolve.js';
import { type ParquetFile, readRows } from '../internal/read-parquet.js';
import type { ParquetReadPosition, ParquetSourceFile, ParquetSourceListing } from './list-source.js';
import { openSourceFile, type ParquetReadStats } from './open-file.js';

/** One row group's rows (or part of it, when resuming mid-group or with `batchRows`). */
export interface ParquetRowBatch {
  /** The file, relative to the listing's root. */
  readonly file: string;
  /** The row group the rows come from. */
  readonly rowGroup: number;
  /** The index within the row group of the first row. */
  readonly firstRow: number;
  /** The rows, plain objects of the columns read, in the same JS types as a table scan gives. */
  readonly rows: readonly Record<string, unknown>[];
  /** The position after these rows: where to resume once they are processed. */
  readonly next: ParquetReadPosition;
}

/** Options of {@link readParquetRows}. */
export interface ReadParquetRowsOptions {
  /** Top-level columns to read; only these are fetched and decoded. Default: every readable column (of the table schema, for a table). */
  columns?: readonly string[];
  /** Where to start: a position from a previous batch's `next`. Default: the first row of the first file. */
  from?: ParquetReadPosition;
  /** Skip a file that turns out unreadable while reading (a corrupt page), reporting it, instead of throwing. Rows of it already returned stay returned. Default: `false`. */
  skipBadFiles?: boolean;
  /** Called for each file skipped with `skipBadFiles`. Default: none. */
  onBadFile?: (error: BadParquetFileError) => void;
  /** Stops reading (the iteration throws the signal's reason) once aborted. Default: none. */
  signal?: AbortSignal;
  /** At most this many rows per batch: a row group is decoded once and handed out in slices. Default: a whole row group per batch. */
  batchRows?: number;
  /** Counters updated as reading goes (files, row groups, rows, bytes fetched, column chunks decoded). Default: none. */
  stats?: ParquetReadStats;
}

interface Start {
  index: number;
  rowGroup: number;
  row: number;
}

function resolveStart(listing: ParquetSourceListing, from: ParquetReadPosition | undefined): Start {
  if (from === undefined) return { index: 0, rowGroup: 0, row: 0 };
  const index = listing.files.findIndex((file) => file.path === from.file);
  if (index !== -1) return { index, rowGroup: from.rowGroup, row: from.row };
  if (listing.kind === 'table') {
    throw new TableError(
      `Cannot resume a Parquet source at ${from.file}: table snapshot version ${listing.table?.version} does not hold that file (compacted or removed?); open the version the position was taken from`,
    );
  }
  // The file is gone (or was skipped as bad): files are read in sorted path order, so what was
  // not yet read is what sorts after it.
  const after = listing.files.findIndex((file) => file.path > from.file);
  return { index: after === -1 ? listing.files.length : after, rowGroup: 0, row: 0 };
}

interface Target {
  name: string;
  /** The column as the file has it. */
  source: Column | undefined;
  /** The column rows come out as (the snapshot's, for a table). */
  target: Column;
}

function targets(listing: ParquetSourceListing, file: ParquetSourceFile, columns: readonly string[] | undefined): Target[] {
  const schema = listing.table?.schema ?? file.columns;
  const names = columns ?? schema.map((c) => c.name);
  return names.map((name) => {
    const source = file.columns.find((c) => c.name === name);
    const target = listing.table?.schema.find((c) => c.name === name) ?? source;
    if (target === undefined) {
      const unsupported = file.unsupportedColumns[name];
      throw new SourceSchemaError(
        unsupported === undefined
          ? `Parquet file ${file.path} has no column "${name}"`
          : `Parquet file ${file.path}: column "${name}" has type ${unsupported}, which Weir cannot read`,
        { context: { file: path.join(listing.root, file.path) } },
      );
    }
    return { name, source, target };
  });
}

function rangeStart(file: ParquetSourceFile, rowGroup: number): number {
  let start = 0;
  for (let g = 0; g < rowGroup; g++) start += file.rowGroupRows[g]!;
  return start;
}

/**
 * Streams a listing's rows in read order, one row group at a time (memory bounded by one row
 * group, never a whole file), fetching and decoding only `columns`. Values have the JS types a
 * table scan gives (`openTable(dir).scan()`): bigint INT64, Date TIMESTAMP_MILLIS and DATE,
 * decimal strings, bigint TIMESTAMP_MICROS; rows of a table file written with an older schema
 * version come out in the snapshot's schema (columns added since are `null`).
 *
 * Each batch carries `next`, the position after its rows: hand it back as `from` to resume
 * exactly after them. A file is finished at `{ file, rowGroup: <its row group count>, row: 0 }`.
 *
 * @throws BadParquetFileError naming the file when a page cannot be decoded (without `skipBadFiles`)
 * @throws SourceSchemaError when a file lacks a requested column (see {@link checkSourceColumns} to refuse at start)
 * @throws TableError when `from` names a file a table snapshot does not hold
 * @example
 * ```ts
 * const listing = await listParquetSource('/archive/clicks');
 * let position: ParquetReadPosition | undefined;
 * for await (const batch of readParquetRows(listing, { columns: ['user', 'ts'], from: position })) {
 *   process(batch.rows);
 *   position = batch.next;
 * }
 * ```
 */
export async function* readParquetRows(listing: ParquetSourceListing, options: ReadParquetRowsOptions = {}): AsyncGenerator<ParquetRowBatch> {
  const { columns, from, skipBadFiles = false, onBadFile, signal, batchRows = Number.POSITIVE_INFINITY, stats } = options;
  if (!(batchRows >= 1)) throw new RangeError(`batchRows must be at least 1, got ${batchRows}`);
  const start = resolveStart(listing, from);
  for (let index = start.index; index < listing.files.length; index++) {
    signal?.throwIfAborted();
    const file = listing.files[index]!;
    const groups = file.rowGroupRows.length;
    let group = index === start.index ? start.rowGroup : 0;
    let row = index === start.index ? start.row : 0;
    // A position at the end of a row group is the start of the next one.
    while (group < groups && row >= file.rowGroupRows[group]!) {
      group++;
      row = 0;
    }
    if (group >= groups) continue;
    const wanted = targets(listing, file, columns);
    const present = wanted.filter((t) => t.source !== undefined).map((t) => t.name);
    let parquet: ParquetFile;
    try {
      parquet = await openSourceFile(listing.root, file.path, stats);
    } catch (error) {
      if (error instanceof BadParquetFileError && skipBadFiles) {
        onBadFile?.(error);
        continue;
      }
      throw error;
    }
    if (stats !== undefined) stats.files++;
    try {
      for (; group < groups; group++, row = 0) {
        signal?.throwIfAborted();
        const groupRows = file.rowGroupRows[group]!;
        if (row >= groupRows) continue;
        const offset = rangeStart(file, group);
        let raw: Record<string, unknown>[];
        try {
          raw = present.length === 0 ? Array.from({ length: groupRows - row }, () => ({})) : await readRows(parquet, present, offset + row, offset + groupRows);
        } catch (cause) {
          const reason = `corrupt data in row group ${group} (${cause instanceof Error ? cause.message : String(cause)})`;
          throw new BadParquetFileError(file.path, reason, { cause, context: { file: path.join(listing.root, file.path) } });
        }
        if (stats !== undefined) {
          stats.rowGroups++;
          stats.columnsRead += present.length;
        }
        const rows = raw.map((values) => {
          const out: Record<string, unknown> = {};
          for (const { name, source, target } of wanted) {
            // Spec: a column added to a table after the file was written reads as null.
            out[name] = source === undefined ? null : source === target ? decodeValue(source, values[name]) : evolveValue(source, target, decodeValue(source, values[name]));
          }
          return out;
        });
        for (let first = 0; first < rows.length; first += batchRows) {
          const slice = rows.length <= batchRows ? rows : rows.slice(first, first + batchRows);
          const end = row + first + slice.length;
          const next: ParquetReadPosition = end < groupRows ? { file: file.path, rowGroup: group, row: end } : { file: file.path, rowGroup: group + 1, row: 0 };
          if (stats !== undefined) stats.rows += slice.length;
          yield { file: file.path, rowGroup: group, firstRow: row + first, rows: slice, next };
        }
      }
    } catch (error) {
      if (error instanceof BadParquetFileError && skipBadFiles) onBadFile?.(error);
      else throw error;
    } finally {
      await parquet.close();
    }
  }
}
