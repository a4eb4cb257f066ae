import type { TableSchema } from '@weir/avro';
import { InvalidRowError, TableError } from './errors.js';

/** How a partition value derives from a column's value. */
export type PartitionTransform = 'identity' | 'year' | 'month' | 'day' | 'hour';

/**
 * One level of Hive-style partitioning: files go into `data/<name>=<value>/`. The column keeps
 * its values inside the files too, so a file is complete on its own.
 *
 * | transform  | of                                 | value          |
 * |------------|------------------------------------|----------------|
 * | `identity` | any scalar                         | the value as text (dates `YYYY-MM-DD`) |
 * | `year`     | DATE, TIMESTAMP_MILLIS/MICROS      | `2026`         |
 * | `month`    | same                               | `2026-11`      |
 * | `day`      | same                               | `2026-11-26`   |
 * | `hour`     | same                               | `2026-11-26-13`|
 *
 * A null value is `__HIVE_DEFAULT_PARTITION__`, as in Hive.
 *
 * @example
 * ```ts
 * const partitionBy: PartitionField[] = [{ name: 'window_date', column: 'window_start', transform: 'day' }];
 * ```
 */
export interface PartitionField {
  /** The directory key. */
  name: string;
  /** The top-level column it derives from. */
  column: string;
  /** Default: `identity`. */
  transform?: PartitionTransform;
}

const NULL_PARTITION = '__HIVE_DEFAULT_PARTITION__';

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'bigint') return new Date(Number(value / 1000n)); // TIMESTAMP_MICROS
  return undefined;
}

function partitionValue(field: PartitionField, value: unknown): string {
  if (value === null || value === undefined) return NULL_PARTITION;
  const transform = field.transform ?? 'identity';
  if (transform === 'identity') {
    if (value instanceof Date) return value.getTime() % 86_400_000 === 0 ? value.toISOString().slice(0, 10) : value.toISOString();
    return String(value);
  }
  const date = toDate(value);
  if (date === undefined) {
    throw new InvalidRowError(`Partition "${field.name}": transform ${transform} needs a date or timestamp column, got ${String(value)}`);
  }
  const iso = date.toISOString();
  switch (transform) {
    case 'year':
      return iso.slice(0, 4);
    case 'month':
      return iso.slice(0, 7);
    case 'day':
      return iso.slice(0, 10);
    case 'hour':
      return `${iso.slice(0, 10)}-${iso.slice(11, 13)}`;
  }
}

const ESCAPED = new Set('"#%\'*/:=?\\{}[]^');

// Hive escapes these (and control characters) in partition directory names; so does Weir, so
// that any value is one path segment.
function escapeSegment(value: string): string {
  let out = '';
  for (const c of value) {
    const code = c.charCodeAt(0);
    out += code < 0x20 || code === 0x7f || ESCAPED.has(c) ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : c;
  }
  return out;
}

/** The partition values of a row. */
export function partitionOf(partitionBy: readonly PartitionField[], row: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of partitionBy) out[field.name] = partitionValue(field, row[field.column]);
  return out;
}

/** The directory of a partition, relative to `data/`: `window_date=2026-11-26` (`''` when none). */
export function partitionDir(partitionBy: readonly PartitionField[], values: Record<string, string>): string {
  return partitionBy.map((field) => `${escapeSegment(field.name)}=${escapeSegment(values[field.name] ?? NULL_PARTITION)}`).join('/');
}

/** Checks that each partition field names a top-level column of `schema`. */
export function checkPartitioning(partitionBy: readonly PartitionField[], schema: TableSchema): void {
  for (const field of partitionBy) {
    if (!schema.some((column) => column.name === field.column)) {
      throw new TableError(`Partition "${field.name}" derives from column "${field.column}", which the schema does not have`);
    }
  }
}
