import type { FileHandle } from 'node:fs/promises';
import { promises as fs } from 'node:fs';
import { type Column, isScalarColumn, type TableSchema } from '@weir/avro';
import { type AsyncBuffer, type FileMetaData, type ParquetParsers, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { ColumnBounds } from './filter-eval.js';

/**
 * Parsers that keep hyparquet's values in the column model: TIMESTAMP_MICROS stays a bigint of
 * microseconds (hyparquet's default makes a Date and drops the micros). TIMESTAMP_MILLIS and
 * DATE keep the default (a Date), UUID the default (a lowercase string).
 */
const PARSERS: Partial<ParquetParsers> = {
  timestampFromMicroseconds: (micros: bigint) => micros,
};

/** An open Parquet file: read its row groups, then close it. */
export interface ParquetFile {
  metadata: FileMetaData;
  /** The metadata with DECIMAL annotations hidden, for reading values. */
  readMetadata: FileMetaData;
  buffer: AsyncBuffer;
  close(): Promise<void>;
}

function fileBuffer(handle: FileHandle, size: number): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end: number = size): Promise<ArrayBuffer> {
      const bytes = new Uint8Array(Math.max(0, end - start));
      let done = 0;
      while (done < bytes.length) {
        const { bytesRead } = await handle.read(bytes, done, bytes.length - done, start + done);
        if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${start + done} of ${size}`);
        done += bytesRead;
      }
      return bytes.buffer;
    },
  };
}

// hyparquet turns DECIMAL into float numbers, which cannot hold every decimal: read them as the
// raw unscaled integers by hiding the decimal annotation (decode-values.ts scales them exactly).
function rawDecimals(metadata: FileMetaData): FileMetaData {
  return {
    ...metadata,
    schema: metadata.schema.map((element) => {
      if (element.converted_type !== 'DECIMAL' && element.logical_type?.type !== 'DECIMAL') return element;
      const { converted_type: _c, logical_type: _l, ...rest } = element;
      return rest;
    }),
  };
}

/**
 * Opens a Parquet file and reads its footer.
 * @throws when the file is missing or not Parquet (the caller names the file)
 */
export async function openParquet(file: string): Promise<ParquetFile> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = fileBuffer(handle, size);
    const metadata = await parquetMetadataAsync(buffer, { parsers: PARSERS });
    return { metadata, readMetadata: rawDecimals(metadata), buffer, close: () => handle.close() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * The statistics of a row group's top-level scalar columns, in their JS types. DECIMAL (which
 * hyparquet decodes to a float) and BYTES (decoded as text) have none: they never prune.
 */
export function rowGroupBounds(metadata: FileMetaData, index: number, schema: TableSchema): Map<string, ColumnBounds> {
  const group = metadata.row_groups[index]!;
  const rows = Number(group.num_rows);
  const out = new Map<string, ColumnBounds>();
  for (const chunk of group.columns) {
    const meta = chunk.meta_data;
    if (meta === undefined || meta.path_in_schema.length !== 1) continue;
    const name = meta.path_in_schema[0]!;
    const column: Column | undefined = schema.find((c) => c.name === name);
    if (column === undefined || !isScalarColumn(column)) continue;
    const stats = meta.statistics;
    const nullCount = stats?.null_count === undefined ? undefined : Number(stats.null_count);
    const usable = column.type !== 'DECIMAL' && column.type !== 'BYTES';
    out.set(name, {
      rows,
      ...(nullCount === undefined ? {} : { nullCount }),
      ...(usable && stats?.min_value !== undefined && stats.max_value !== undefined
        ? { min: stats.min_value, max: stats.max_value }
        : {}),
    });
  }
  return out;
}

/** The row range `[start, end)` of each row group. */
export function rowGroupRanges(metadata: FileMetaData): { start: number; end: number }[] {
  let start = 0;
  return metadata.row_groups.map((group) => {
    const end = start + Number(group.num_rows);
    const range = { start, end };
    start = end;
    return range;
  });
}

/**
 * Reads rows `[start, end)` (one row group) of the given top-level columns, as hyparquet values
 * that decode-values.ts turns into the column model. Only those columns' chunks are fetched.
 */
export async function readRows(file: ParquetFile, columns: string[], start: number, end: number): Promise<Record<string, unknown>[]> {
  return parquetReadObjects({
    file: file.buffer,
    metadata: file.readMetadata,
    columns,
    rowStart: start,
    rowEnd: end,
    compressors,
    parsers: PARSERS,
    // BYTES columns stay Uint8Array; STRING columns are annotated UTF8 and still decode.
    utf8: false,
  });
}
