import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { TableSchema } from '@weir/avro';
import { ParquetWriter } from 'hyparquet-writer';
import { compressorsFor, type ParquetCodec } from './codec.js';
import type { ColumnStatistics, SourceRange } from './commit.js';
import { StatsCollector } from './internal/column-stats.js';
import { encodeValue } from './internal/encode-values.js';
import { FileSink } from './internal/file-sink.js';
import { fsyncDir, mkdirDurable, tempPath } from './internal/fs.js';
import { toParquetSchema } from './internal/parquet-schema.js';
import { WEIR_VERSION } from './version.js';

/** Keys of the Parquet key-value metadata Weir writes into every file footer. */
export const WEIR_METADATA_KEYS = {
  /** The Weir version that wrote the file. */
  version: 'weir.version',
  /** The file's columns as Weir column model JSON (a TableSchema), so the file describes itself. */
  schema: 'weir.schema',
  /** The table's name (files written by a table writer). */
  tableName: 'weir.table.name',
  /** The table directory the file was written for. */
  tablePath: 'weir.table.path',
  /** JSON `{ "<topic>:<partition>": [{ "from": "100", "to": "250" }] }`: the source offsets the rows cover. */
  sourceOffsets: 'weir.source.offsets',
  /** JSON of the file's Hive partition values. */
  partition: 'weir.partition',
} as const;

/** Options of {@link writeParquetFile}. */
export interface WriteParquetFileOptions {
  /** Compression codec. Default: `'SNAPPY'`. See {@link ParquetCodec} for what Node.js can write. */
  codec?: ParquetCodec;
  /** Rows per row group: the unit of statistics, pruning and of the memory a write holds. Default: `100_000`. */
  rowGroupSize?: number;
  /** Key columns: always dictionary-encoded (other columns are when it pays). Default: `[]`. */
  keyColumns?: readonly string[];
  /** Longest string min/max (bytes) in row-group statistics; longer ones are truncated to valid bounds. Default: `64`. */
  statisticsTruncateLength?: number;
  /** The table the file belongs to, recorded in the footer. Default: none. */
  table?: { name: string; path: string };
  /** The source offsets the rows cover, recorded in the footer. Default: none. */
  sources?: Record<string, SourceRange[]>;
  /** Hive partition values of the file, recorded in the footer. Default: none. */
  partition?: Record<string, string>;
  /** More key-value metadata for the footer. Default: none. */
  metadata?: Record<string, string>;
}

/** What {@link writeParquetFile} wrote. */
export interface WrittenFile {
  /** The final path, as given. */
  path: string;
  rows: number;
  bytes: number;
  /** Per-column statistics, as a commit records them. */
  stats: Record<string, ColumnStatistics>;
}

/** The `created_by` of Weir's files: `weir version 0.1.0 (hyparquet-writer)`. */
export const CREATED_BY = `weir version ${WEIR_VERSION} (hyparquet-writer)`;

/**
 * Writes rows as one Parquet file, atomically: the rows go to a temp file `.tmp-<uuid>.parquet`
 * next to `file`, which is fsynced, closed and renamed to `file`, and the directory fsynced. A
 * reader (or a crash) never sees a partial file under the final name; an existing file of that
 * name is replaced. Row groups are written and flushed one at a time, so `rows` may be a lazy or
 * async iterable of any length.
 *
 * Columns map to Parquet as docs/table-format.md says: STRING as UTF8 byte arrays, INT64 and
 * timestamps as INT64 (TIMESTAMP with isAdjustedToUTC), DATE as INT32, DECIMAL as INT32, INT64 or
 * a fixed byte array by precision, UUID as FIXED_LEN_BYTE_ARRAY(16) with the UUID logical type,
 * records as groups, lists as three-level LISTs, maps as MAPs. Every row group has min/max
 * statistics; the footer's key-value metadata records the Weir version, the column model, and
 * the table, source offsets and partition when given.
 *
 * @param file the final path (its directory is created when missing)
 * @param schema the columns; row values must have their JS types (see `@weir/avro` Columns)
 * @param rows the rows, plain objects by column name (other keys are ignored)
 * @returns the path, row count, byte size and per-column statistics
 * @throws InvalidRowError naming the column when a value does not fit it (nothing is left behind)
 * @throws UnsupportedCodecError when this Node.js cannot write `codec`
 * @example
 * ```ts
 * const schema = [Columns.string('user'), Columns.int64('count'), Columns.timestampMillis('window_start')];
 * await writeParquetFile('/tmp/counts.parquet', schema, [
 *   { user: 'ada', count: 3n, window_start: new Date('2026-11-26T10:00:00Z') },
 * ], { codec: 'GZIP', keyColumns: ['user'] });
 * ```
 */
export async function writeParquetFile(
  file: string,
  schema: TableSchema,
  rows: Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>,
  options: WriteParquetFileOptions = {},
): Promise<WrittenFile> {
  const {
    codec = 'SNAPPY',
    rowGroupSize = 100_000,
    keyColumns = [],
    statisticsTruncateLength = 64,
    table,
    sources,
    partition,
    metadata = {},
  } = options;
  if (!Number.isInteger(rowGroupSize) || rowGroupSize < 1) throw new RangeError(`rowGroupSize must be a positive integer, got ${rowGroupSize}`);
  const compressors = compressorsFor(codec);
  const kvMetadata = [
    { key: WEIR_METADATA_KEYS.version, value: WEIR_VERSION },
    { key: WEIR_METADATA_KEYS.schema, value: JSON.stringify(schema) },
    ...(table === undefined
      ? []
      : [
          { key: WEIR_METADATA_KEYS.tableName, value: table.name },
          { key: WEIR_METADATA_KEYS.tablePath, value: table.path },
        ]),
    ...(sources === undefined ? [] : [{ key: WEIR_METADATA_KEYS.sourceOffsets, value: JSON.stringify(sources) }]),
    ...(partition === undefined ? [] : [{ key: WEIR_METADATA_KEYS.partition, value: JSON.stringify(partition) }]),
    ...Object.entries(metadata).map(([key, value]) => ({ key, value })),
  ];
  const dictionary = new Set(keyColumns);
  const dir = path.dirname(file);
  await mkdirDurable(dir);
  const temp = tempPath(dir, '.parquet');
  const sink = await FileSink.create(temp);
  const stats = new StatsCollector(schema);
  let count = 0;
  try {
    const writer = new ParquetWriter({
      writer: sink,
      schema: toParquetSchema(schema),
      codec,
      compressors,
      statistics: true,
      statisticsTruncateLength,
      kvMetadata,
      createdBy: CREATED_BY,
    });
    const writeGroup = async (batch: Record<string, unknown>[]): Promise<void> => {
      const columnData = schema.map((column) => ({
        name: column.name,
        data: batch.map((row) => encodeValue(column, row[column.name])),
        ...(dictionary.has(column.name) ? { encoding: 'RLE_DICTIONARY' as const } : {}),
      }));
      // After encoding, which has validated every value: statistics compare typed values only.
      for (const row of batch) stats.add(row);
      // One call per row group: ParquetWriter flushes the sink after it and awaits the write.
      await writer.write({ columnData, rowGroupSize: batch.length });
    };
    let batch: Record<string, unknown>[] = [];
    for await (const row of rows) {
      batch.push(row);
      count++;
      if (batch.length >= rowGroupSize) {
        await writeGroup(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await writeGroup(batch);
    await writer.finish();
  } catch (error) {
    await sink.close();
    await fs.rm(temp, { force: true });
    throw error;
  }
  // Rename is the publication: the final name only ever holds a complete, durable file.
  await fs.rename(temp, file);
  await fsyncDir(dir);
  return { path: file, rows: count, bytes: sink.offset, stats: stats.result() };
}
