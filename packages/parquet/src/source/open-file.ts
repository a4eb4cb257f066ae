import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AsyncBuffer } from 'hyparquet';
import { BadParquetFileError } from '../errors.js';
import { openParquet, type ParquetFile } from '../internal/read-parquet.js';

const MAGIC = 'PAR1';
// Magic at both ends and a 4-byte footer length: the smallest possible Parquet file.
const MIN_SIZE = 12;

/**
 * Says what is wrong with a file that does not open as Parquet, from its first and last bytes:
 * hyparquet's own errors ("parquet file invalid (footer != PAR1)") do not tell a truncated file
 * from a foreign one, and the user needs to know which.
 */
async function diagnose(absolute: string, cause: unknown): Promise<string> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(absolute, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'missing (no such file)' : `cannot open (${String(error)})`;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return 'empty (0 bytes)';
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    if (head.toString('latin1') !== MAGIC) return `not Parquet (no PAR1 magic at the start; ${size} bytes)`;
    const tail = Buffer.alloc(8);
    if (size >= MIN_SIZE) await handle.read(tail, 0, 8, size - 8);
    if (size < MIN_SIZE || tail.toString('latin1', 4) !== MAGIC) return `truncated (no PAR1 magic at the end; ${size} bytes)`;
    const footerLength = tail.readUInt32LE(0);
    if (footerLength + 8 > size - 4) return `truncated or corrupt footer (footer length ${footerLength} exceeds the file size ${size})`;
    return `corrupt footer (${cause instanceof Error ? cause.message : String(cause)})`;
  } finally {
    await handle.close();
  }
}

/** Counters a source updates as it reads, to report progress and prove column projection. */
export interface ParquetReadStats {
  /** Files opened (footers read). */
  files: number;
  /** Row groups (or parts of them) read. */
  rowGroups: number;
  /** Rows returned. */
  rows: number;
  /** Bytes of column data fetched from files (footers not included). */
  bytesRead: number;
  /** Column chunks decoded: one per top-level column read, per row group read. */
  columnsRead: number;
}

/** Fresh counters. */
export function emptyReadStats(): ParquetReadStats {
  return { files: 0, rowGroups: 0, rows: 0, bytesRead: 0, columnsRead: 0 };
}

function counting(buffer: AsyncBuffer, stats: ParquetReadStats | undefined): AsyncBuffer {
  if (stats === undefined) return buffer;
  return {
    byteLength: buffer.byteLength,
    async slice(start: number, end?: number) {
      const bytes = await buffer.slice(start, end);
      stats.bytesRead += bytes.byteLength;
      return bytes;
    },
  };
}

/**
 * Opens a file of a source and reads its footer.
 * @param name the file as the source names it (relative to the listing's root)
 * @throws BadParquetFileError saying what is wrong, when the file is missing or unreadable
 */
export async function openSourceFile(root: string, name: string, stats?: ParquetReadStats): Promise<ParquetFile> {
  const absolute = path.resolve(root, name);
  let file: ParquetFile;
  try {
    file = await openParquet(absolute);
  } catch (cause) {
    throw new BadParquetFileError(name, await diagnose(absolute, cause), { cause, context: { file: absolute } });
  }
  return { ...file, buffer: counting(file.buffer, stats) };
}
