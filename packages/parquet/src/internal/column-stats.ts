import { type Column, isScalarColumn, type TableSchema } from '@weir/avro';
import type { ColumnStatistics } from '../commit.js';
import { compareValues, encodeStat, type Scalar } from './values.js';

interface Running {
  column: Column;
  nullCount: number;
  min: unknown;
  max: unknown;
}

/**
 * Computes the per-column statistics a commit records for a data file, from the rows' JS values
 * (exact, never truncated, unlike Parquet footers): null count for every top-level column, min
 * and max for scalar ones (NaN is skipped, as Parquet does; BYTES have none).
 */
export class StatsCollector {
  private readonly running: Running[];

  constructor(schema: TableSchema) {
    this.running = schema.map((column) => ({ column, nullCount: 0, min: undefined, max: undefined }));
  }

  /** Adds one row (already validated against the schema). */
  add(row: Record<string, unknown>): void {
    for (const entry of this.running) {
      let value = row[entry.column.name];
      if (value === null || value === undefined) {
        entry.nullCount++;
        continue;
      }
      if (!isScalarColumn(entry.column) || (typeof value === 'number' && Number.isNaN(value))) continue;
      const column = entry.column as Scalar;
      // A FLOAT is stored as float32: its bounds must be the stored values, or pruning would
      // skip 0.1 (stored 0.10000000149) for `> 0.1`.
      if (column.type === 'FLOAT') value = Math.fround(value as number);
      if (entry.min === undefined || compareValues(column, value, entry.min) < 0) entry.min = value;
      if (entry.max === undefined || compareValues(column, value, entry.max) > 0) entry.max = value;
    }
  }

  /** The statistics in their JSON form, by column name. */
  result(): Record<string, ColumnStatistics> {
    const out: Record<string, ColumnStatistics> = {};
    for (const { column, nullCount, min, max } of this.running) {
      const stats: ColumnStatistics = { nullCount };
      if (isScalarColumn(column) && min !== undefined && max !== undefined) {
        const encodedMin = encodeStat(column, min);
        const encodedMax = encodeStat(column, max);
        if (encodedMin !== undefined && encodedMax !== undefined) {
          stats.min = encodedMin;
          stats.max = encodedMax;
        }
      }
      out[column.name] = stats;
    }
    return out;
  }
}
