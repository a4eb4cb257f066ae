import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { TableSchema } from '@weir/avro';
import { BadParquetFileError, TableError } from '../errors.js';
import { openTable } from '../table.js';
import { fileColumns } from './file-columns.js';
import { globDepth, globToRegExp, isGlob, splitGlob } from './glob.js';
import { openSourceFile } from './open-file.js';

/** Where reading resumes: the next row to read. Files are named relative to the listing's root. */
export interface ParquetReadPosition {
  /** The file, relative to {@link ParquetSourceListing.root}, `/`-separated. */
  readonly file: string;
  /** The row group of `file` (0-based). Equal to the file's row group count: the file is done. */
  readonly rowGroup: number;
  /** The row within `rowGroup` (0-based, not within the file). */
  readonly row: number;
}

/** One file of a {@link ParquetSourceListing}, described by its footer. */
export interface ParquetSourceFile {
  /** Relative to the listing's root, `/`-separated. */
  readonly path: string;
  /** Rows in the file. */
  readonly rows: number;
  /** Rows of each row group, in order. */
  readonly rowGroupRows: readonly number[];
  /** The file's columns in the column model (from Weir's `weir.schema` footer entry, else from the Parquet schema). */
  readonly columns: TableSchema;
  /** Top-level columns of a type with no column-model value (INT96, TIMESTAMP(NANOS), TIME, JSON...), name to Parquet type. They cannot be read. */
  readonly unsupportedColumns: Readonly<Record<string, string>>;
  /** Size of the file in bytes. */
  readonly bytes: number;
}

/** What a path, a glob or a Weir table directory holds, in read order. */
export interface ParquetSourceListing {
  /** `'table'` for a Weir table directory (one with `_weir_log/`), `'files'` otherwise. */
  readonly kind: 'files' | 'table';
  /** The directory positions are relative to (absolute). */
  readonly root: string;
  /**
   * The files in read order: sorted path order for a directory or glob; commit order (then path
   * order within a commit) for a Weir table snapshot.
   */
  readonly files: readonly ParquetSourceFile[];
  /** For a Weir table: the snapshot version, its schema, and the source offsets its commits cover (e.g. `{"topic:0": "1234"}`), for backfill-then-live. */
  readonly table?: {
    readonly version: number;
    readonly sourceOffsets: Readonly<Record<string, string>>;
    /** The snapshot's schema: rows of files written with older schema versions are read as it. */
    readonly schema: TableSchema;
  };
}

/** Options of {@link listParquetSource}. */
export interface ListParquetSourceOptions {
  /** For a Weir table: the snapshot version to read. Default: the latest. Refused for plain files. */
  version?: number;
  /** Leave out files that are not readable Parquet (reporting each to `onBadFile`) instead of throwing. Default: `false`. */
  skipBadFiles?: boolean;
  /** Called for each file left out with `skipBadFiles`. Default: none. */
  onBadFile?: (error: BadParquetFileError) => void;
}

const sortPaths = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// Hidden by convention (Spark's `_SUCCESS`, `_temporary/`, `.crc` files, Weir's `.tmp-*`).
const hidden = (name: string): boolean => name.startsWith('.') || name.startsWith('_');

async function walk(root: string, dir: string, depth: number, keep: (relative: string, isDir: boolean) => boolean, out: string[]): Promise<void> {
  const entries = await fs.readdir(path.join(root, dir), { withFileTypes: true });
  for (const entry of entries) {
    const relative = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (depth > 1 && keep(relative, true)) await walk(root, relative, depth - 1, keep, out);
    } else if (entry.isFile() && keep(relative, false)) out.push(relative);
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function describeFiles(root: string, names: readonly string[], options: ListParquetSourceOptions, expectedRows?: ReadonlyMap<string, number>): Promise<ParquetSourceFile[]> {
  const { skipBadFiles = false, onBadFile } = options;
  // Footers are read a few at a time: listing a directory of many small files is latency-bound.
  const described = await mapLimit(names, 8, async (name): Promise<ParquetSourceFile | BadParquetFileError> => {
    let parquet: Awaited<ReturnType<typeof openSourceFile>>;
    try {
      parquet = await openSourceFile(root, name);
    } catch (error) {
      if (error instanceof BadParquetFileError) return error;
      throw error;
    }
    try {
      const rowGroupRows = parquet.metadata.row_groups.map((group) => Number(group.num_rows));
      const rows = rowGroupRows.reduce((sum, n) => sum + n, 0);
      const expected = expectedRows?.get(name);
      if (expected !== undefined && expected !== rows) {
        return new BadParquetFileError(name, `holds ${rows} rows, its commit says ${expected}`, { context: { file: path.join(root, name) } });
      }
      const { columns, unsupported } = fileColumns(parquet.metadata);
      return { path: name, rows, rowGroupRows, columns, unsupportedColumns: unsupported, bytes: parquet.buffer.byteLength };
    } catch (cause) {
      return new BadParquetFileError(name, `corrupt footer (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
    } finally {
      await parquet.close();
    }
  });
  const files: ParquetSourceFile[] = [];
  // Reported in read order, whatever order the footers were read in.
  for (const item of described) {
    if (!(item instanceof BadParquetFileError)) files.push(item);
    else if (skipBadFiles) onBadFile?.(item);
    else throw item;
  }
  return files;
}

/**
 * Lists what a Parquet source reads, in read order, with each file's row groups and columns
 * (every footer is read once here, so a bad file is found before any row is read).
 *
 * - a Weir table directory (it has `_weir_log/`): the files of the snapshot (latest, or
 *   `version`), in commit order, never a listing of `data/`, so uncommitted or foreign files are
 *   never read;
 * - a directory: every `*.parquet` file below it, in sorted path order, skipping names that
 *   start with `.` or `_` (`_SUCCESS`, `.tmp-*`);
 * - a glob (`*`, `?`, `[...]`, `{a,b}`, `**`): the matching files below its fixed prefix, in
 *   sorted path order (`*` does not match a leading dot);
 * - a file: that file.
 *
 * @param location a path, a glob or a table directory
 * @returns the listing; positions are relative to its `root`
 * @throws BadParquetFileError naming the file and what is wrong (without `skipBadFiles`)
 * @throws TableError when `location` does not exist, or `version` is given for plain files
 * @throws TableNotFoundError when the table does not have `version`
 * @example
 * ```ts
 * const listing = await listParquetSource('/archive/clicks/2026-11-*\/*.parquet');
 * for await (const batch of readParquetRows(listing, { columns: ['user', 'ts'] })) console.log(batch.rows.length);
 * ```
 */
export async function listParquetSource(location: string, options: ListParquetSourceOptions = {}): Promise<ParquetSourceListing> {
  if (isGlob(location)) {
    if (options.version !== undefined) throw new TableError(`Parquet source ${location}: a version applies to a Weir table only`);
    const { base, rest } = splitGlob(location.split(path.sep).join('/'));
    const root = path.resolve(base);
    const pattern = globToRegExp(rest);
    const prefixes = rest.split('/').filter((s) => s !== '');
    const names: string[] = [];
    if (await exists(root)) {
      await walk(root, '', globDepth(rest), (relative, isDir) => {
        if (!isDir) return pattern.test(relative) && !path.basename(relative).startsWith('.tmp-');
        // A directory is walked when the pattern can match below it.
        const depth = relative.split('/').length;
        return prefixes.includes('**') || globToRegExp(prefixes.slice(0, depth).join('/')).test(relative);
      }, names);
    }
    names.sort(sortPaths);
    return { kind: 'files', root, files: await describeFiles(root, names, options) };
  }
  const absolute = path.resolve(location);
  const stat = await fs.stat(absolute).catch((cause: unknown) => {
    throw new TableError(`Parquet source ${location}: ${(cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(cause)}`, {
      cause,
      context: { file: absolute },
    });
  });
  if (stat.isDirectory() && (await exists(path.join(absolute, '_weir_log')))) {
    const table = await openTable(absolute, options.version === undefined ? {} : { version: options.version });
    const dataFiles = table.files();
    const expected = new Map(dataFiles.map((file) => [file.path, file.rows]));
    return {
      kind: 'table',
      root: absolute,
      files: await describeFiles(absolute, dataFiles.map((file) => file.path), options, expected),
      table: { version: table.version, sourceOffsets: table.sourceOffsets(), schema: table.schema },
    };
  }
  if (options.version !== undefined) throw new TableError(`Parquet source ${location}: a version applies to a Weir table only (no _weir_log/ here)`);
  if (stat.isDirectory()) {
    const names: string[] = [];
    await walk(absolute, '', Number.POSITIVE_INFINITY, (relative, isDir) => {
      const name = path.basename(relative);
      return !hidden(name) && (isDir || name.toLowerCase().endsWith('.parquet'));
    }, names);
    names.sort(sortPaths);
    return { kind: 'files', root: absolute, files: await describeFiles(absolute, names, options) };
  }
  const root = path.dirname(absolute);
  return { kind: 'files', root, files: await describeFiles(root, [path.basename(absolute)], options) };
}
