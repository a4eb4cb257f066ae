import path from 'node:path';
import { isScalarColumn, type TableSchema } from '@weir/avro';
import { DataFileError } from '../errors.js';
import { decodeValue } from './decode-values.js';
import { evolveValue } from './evolve.js';
import { type BoundFilter, type ColumnBounds, canSkip, filterColumns, matchRow } from './filter-eval.js';
import { openParquet, type ParquetFile, readRows, rowGroupBounds, rowGroupRanges } from './read-parquet.js';
import type { LiveFile } from './table-state.js';
import { decodeStat } from './values.js';

/**
 * Counters of one scan, updated as it runs: how much pruning by commit statistics (files) and
 * by Parquet statistics (row groups) saved.
 */
export interface ScanStats {
  /** Files in the snapshot. */
  filesTotal: number;
  /** Files skipped because their commit statistics rule out the filter. */
  filesSkipped: number;
  /** Files whose footer was read. */
  filesRead: number;
  /** Row groups skipped because their Parquet statistics rule out the filter. */
  rowGroupsSkipped: number;
  /** Row groups decoded. */
  rowGroupsRead: number;
  /** Rows decoded. */
  rowsRead: number;
  /** Rows returned (matching the filter, within the limit). */
  rowsReturned: number;
}

/** A fresh set of counters. */
export function emptyScanStats(): ScanStats {
  return { filesTotal: 0, filesSkipped: 0, filesRead: 0, rowGroupsSkipped: 0, rowGroupsRead: 0, rowsRead: 0, rowsReturned: 0 };
}

/** What to read: files of one snapshot, read as `schema`. */
export interface ScanPlan {
  table: string;
  /** The snapshot's schema: rows come out in it. */
  schema: TableSchema;
  /** Every schema version the files may have been written with. */
  schemas: ReadonlyMap<number, TableSchema>;
  files: readonly LiveFile[];
  /** Top-level columns to return. */
  columns: readonly string[];
  filter?: BoundFilter;
}

// Statistics are in the file's column types; a widened column compares in the table's.
function bounds(fileSchema: TableSchema, schema: TableSchema, raw: (name: string) => ColumnBounds | undefined, rows: number) {
  return (name: string): ColumnBounds | undefined => {
    const column = schema.find((c) => c.name === name);
    const old = fileSchema.find((c) => c.name === name);
    if (column === undefined) return undefined;
    // Spec: a column added after the file was written reads as null in every row.
    if (old === undefined) return { rows, nullCount: rows };
    const b = raw(name);
    if (b === undefined || b.min === undefined || b.max === undefined) return b;
    return { ...b, min: evolveValue(old, column, b.min), max: evolveValue(old, column, b.max) };
  };
}

function commitBounds(file: LiveFile, fileSchema: TableSchema) {
  return (name: string): ColumnBounds | undefined => {
    const stats = file.stats[name];
    const column = fileSchema.find((c) => c.name === name);
    if (stats === undefined || column === undefined) return undefined;
    const out: ColumnBounds = { rows: file.rows, nullCount: stats.nullCount };
    if (isScalarColumn(column) && stats.min !== undefined && stats.max !== undefined) {
      out.min = decodeStat(column, stats.min);
      out.max = decodeStat(column, stats.max);
    }
    return out;
  };
}

async function open(table: string, file: LiveFile): Promise<ParquetFile> {
  const absolute = path.join(table, file.path);
  try {
    return await openParquet(absolute);
  } catch (cause) {
    throw new DataFileError(`Cannot read ${file.path} of table ${table} (added by commit ${file.addedIn}): ${String(cause)}`, {
      cause,
      context: { file: absolute },
    });
  }
}

/**
 * Reads the rows of a plan's files in order, skipping files by commit statistics and row groups
 * by Parquet statistics, decoding only the columns needed (returned, filtered), converting rows
 * of older schema versions to the plan's schema, and keeping those that match the filter.
 */
export async function* scanFiles(plan: ScanPlan, stats: ScanStats): AsyncGenerator<Record<string, unknown>> {
  const { table, schema, filter } = plan;
  const wanted = new Set(plan.columns);
  const needed = new Set(plan.columns);
  if (filter !== undefined) for (const name of filterColumns(filter)) needed.add(name);
  const targets = schema.filter((column) => needed.has(column.name));
  stats.filesTotal += plan.files.length;
  for (const file of plan.files) {
    const fileSchema = plan.schemas.get(file.schemaVersion) ?? schema;
    if (filter !== undefined && canSkip(filter, bounds(fileSchema, schema, commitBounds(file, fileSchema), file.rows))) {
      stats.filesSkipped++;
      continue;
    }
    const parquet = await open(table, file);
    stats.filesRead++;
    try {
      const present = targets.flatMap((column) => {
        const old = fileSchema.find((c) => c.name === column.name);
        return old === undefined ? [] : [{ column, old }];
      });
      const names = present.map(({ column }) => column.name);
      const ranges = rowGroupRanges(parquet.metadata);
      for (let index = 0; index < ranges.length; index++) {
        const { start, end } = ranges[index]!;
        if (filter !== undefined) {
          const raw = rowGroupBounds(parquet.metadata, index, fileSchema);
          if (canSkip(filter, bounds(fileSchema, schema, (name) => raw.get(name), end - start))) {
            stats.rowGroupsSkipped++;
            continue;
          }
        }
        stats.rowGroupsRead++;
        const rows: Record<string, unknown>[] =
          names.length === 0 ? Array.from({ length: end - start }, () => ({})) : await readRows(parquet, names, start, end);
        stats.rowsRead += rows.length;
        for (const raw of rows) {
          const row: Record<string, unknown> = {};
          for (const column of targets) row[column.name] = null;
          for (const { column, old } of present) row[column.name] = evolveValue(old, column, decodeValue(old, raw[column.name]));
          if (filter !== undefined && !matchRow(filter, row)) continue;
          if (wanted.size !== needed.size) for (const name of needed) if (!wanted.has(name)) delete row[name];
          yield row;
        }
      }
    } finally {
      await parquet.close();
    }
  }
}
