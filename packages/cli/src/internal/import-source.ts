import { readFile } from 'node:fs/promises';
import type { AvroSchema, TableSchema } from '@weir/avro';
import type { BadParquetFileError, ParquetReadPosition, ParquetSourceListing } from '@weir/parquet';
import { CliError, ExitCode, UsageError } from '../errors.js';
import { avroColumns } from './import-records.js';
import type { CliIo } from './output.js';

/** The options of `weir import` that decide what is read. */
export interface ImportSourceOptions {
  readonly skipBadFiles?: boolean;
  readonly columns?: readonly string[];
  readonly key?: readonly string[];
  readonly timestamp?: string;
}

/** Rows of `listing` from `from` on: the total of the progress display. */
export function rowsFrom(listing: ParquetSourceListing, from: ParquetReadPosition | undefined): number {
  let total = 0;
  let started = from === undefined;
  for (const file of listing.files) {
    if (!started) {
      if (file.path === from!.file) {
        started = true;
        file.rowGroupRows.forEach((rows, group) => {
          if (group > from!.rowGroup) total += rows;
          else if (group === from!.rowGroup) total += Math.max(0, rows - from!.row);
        });
        continue;
      }
      // A resumed directory listing continues with the files that sort after a vanished one.
      if (listing.kind === 'files' && file.path > from!.file) started = true;
      else continue;
    }
    total += file.rows;
  }
  return total;
}

/** A position as a user reads it: `part-03.parquet row group 2 row 1500`. */
export function describePosition(p: ParquetReadPosition): string {
  return `${p.file} row group ${p.rowGroup} row ${p.row}`;
}

/**
 * Lists the source, reporting files left out with `--skip-bad-files` on stderr (and in `skipped`).
 * @throws CliError (exit 1) for a bad file; UsageError (exit 2) for a missing path or a version of plain files
 */
export async function listSource(location: string, options: ImportSourceOptions, version: number | undefined, io: CliIo, skipped: string[]): Promise<ParquetSourceListing> {
  const { listParquetSource, BadParquetFileError: BadFile, TableError } = await import('@weir/parquet');
  try {
    return await listParquetSource(location, {
      ...(version === undefined ? {} : { version }),
      skipBadFiles: options.skipBadFiles === true,
      onBadFile: (error: BadParquetFileError) => {
        skipped.push(error.file);
        io.stderr.write(`weir import: skipping ${error.message}\n`);
      },
    });
  } catch (error) {
    if (error instanceof BadFile) throw new CliError(`${error.message} (--skip-bad-files to skip it)`, ExitCode.Failure, { cause: error });
    // A missing path or a version asked of plain files: the command line is wrong.
    if (error instanceof TableError && error.name === 'TableError') throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

/**
 * The columns of the record values, and every column the import reads (the values' plus the key
 * and timestamp columns, which need not be part of the value), checked against every file (or
 * the table schema) before anything is produced.
 */
export async function importColumns(
  listing: ParquetSourceListing,
  options: ImportSourceOptions,
  avroSchema: AvroSchema | undefined,
  io: CliIo,
): Promise<{ value: TableSchema; read: TableSchema }> {
  const { checkSourceColumns, SourceSchemaError } = await import('@weir/parquet');
  const first = listing.files[0]!;
  const available = listing.table?.schema ?? first.columns;
  const lookup = (name: string, what: string) => {
    const column = available.find((c) => c.name === name);
    if (column !== undefined) return column;
    const unsupported = first.unsupportedColumns[name];
    throw new UsageError(
      unsupported === undefined
        ? `unknown column "${name}" in ${what}; ${first.path} has columns ${available.map((c) => c.name).join(', ')}`
        : `column "${name}" of ${first.path} has type ${unsupported}, which Weir cannot read`,
    );
  };
  let value: TableSchema;
  if (avroSchema !== undefined) {
    value = avroColumns(avroSchema);
    if (options.columns !== undefined) throw new UsageError('--columns and --schema exclude each other: the schema names the columns');
  } else if (options.columns !== undefined) {
    value = options.columns.map((name) => lookup(name, '--columns'));
  } else {
    value = available;
    for (const [name, type] of Object.entries(first.unsupportedColumns)) {
      io.stderr.write(`weir import: leaving out column "${name}" of ${first.path}: its type ${type} has no Weir value\n`);
    }
  }
  const read = [...value];
  const extra = [...(options.key ?? []).map((name) => [name, '--key'] as const), ...(options.timestamp === undefined ? [] : [[options.timestamp, '--timestamp'] as const])];
  for (const [name, what] of extra) if (!read.some((c) => c.name === name)) read.push(lookup(name, what));
  try {
    checkSourceColumns(listing, read);
  } catch (error) {
    if (error instanceof SourceSchemaError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
  return { value, read };
}

/** Reads an Avro schema file (`--schema`). @throws UsageError when it cannot be read or is not JSON */
export async function readSchemaFile(file: string): Promise<AvroSchema> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--schema: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  try {
    return JSON.parse(text) as AvroSchema;
  } catch (error) {
    throw new UsageError(`--schema: ${file} is not JSON: ${(error as Error).message}`, { cause: error });
  }
}
