import type { DecimalColumn, ScalarColumn } from '@weir/avro';
import { compareDecimals } from './decimal.js';

/** A scalar column: the columns that have statistics, filters and an order. */
export type Scalar = ScalarColumn | DecimalColumn;

/** A statistic value as a commit stores it: JSON-safe (see docs/table-format.md). */
export type JsonStat = string | number | boolean;

const DAY_MS = 86_400_000;

function compareCodeUnits(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Parquet and DuckDB order strings by UTF-8 bytes, which is code point order; UTF-16 code
    // units misorder surrogates against U+E000..U+FFFF. Shifting fixes the first difference.
    if (x >= 0xe000) x -= 0x800;
    else if (x >= 0xd800) x += 0x2000;
    if (y >= 0xe000) y -= 0x800;
    else if (y >= 0xd800) y += 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function sign(x: number | bigint): number {
  return x < 0 ? -1 : x > 0 ? 1 : 0;
}

/**
 * Orders two non-null values of a scalar column, as Parquet statistics and DuckDB do: numbers and
 * times by value, decimals numerically, strings and bytes by UTF-8 / unsigned byte order,
 * `false < true`.
 */
export function compareValues(column: Scalar, a: unknown, b: unknown): number {
  switch (column.type) {
    case 'STRING':
      return compareCodeUnits(a as string, b as string);
    case 'UUID':
      return compareCodeUnits((a as string).toLowerCase(), (b as string).toLowerCase());
    case 'DECIMAL':
      return compareDecimals(a as string, b as string);
    case 'BYTES':
      return compareBytes(a as Uint8Array, b as Uint8Array);
    case 'TIMESTAMP_MILLIS':
    case 'DATE':
      return sign((a as Date).getTime() - (b as Date).getTime());
    case 'BOOLEAN':
      return Number(a) - Number(b);
    case 'INT64':
    case 'TIMESTAMP_MICROS':
      return sign((a as bigint) - (b as bigint));
    default:
      return sign((a as number) - (b as number));
  }
}

/**
 * Turns a filter literal into a value of the column's JS type, accepting the obvious
 * alternatives (a number or string for an INT64, a Date for TIMESTAMP_MICROS, ...).
 * @returns the value, or undefined when it cannot be one
 */
export function coerceLiteral(column: Scalar, value: unknown): unknown {
  switch (column.type) {
    case 'STRING':
      return typeof value === 'string' ? value : undefined;
    case 'UUID':
      return typeof value === 'string' ? value.toLowerCase() : undefined;
    case 'BOOLEAN':
      return typeof value === 'boolean' ? value : undefined;
    case 'INT32':
    case 'FLOAT':
    case 'DOUBLE':
      if (typeof value === 'number') return value;
      return typeof value === 'bigint' ? Number(value) : undefined;
    case 'INT64':
    case 'TIMESTAMP_MICROS':
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
      if (value instanceof Date && column.type === 'TIMESTAMP_MICROS') return BigInt(value.getTime()) * 1000n;
      return undefined;
    case 'TIMESTAMP_MILLIS':
    case 'DATE': {
      const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
      return date === undefined || Number.isNaN(date.getTime()) ? undefined : date;
    }
    case 'DECIMAL':
      if (typeof value === 'string' && /^[+-]?\d+(\.\d*)?$/.test(value)) return value;
      if (typeof value === 'bigint' || (typeof value === 'number' && Number.isFinite(value))) return String(value);
      return undefined;
    case 'BYTES':
      return value instanceof Uint8Array ? value : undefined;
  }
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * The JSON form of a statistic: bigints (INT64, TIMESTAMP_MICROS) and decimals as strings,
 * TIMESTAMP_MILLIS as an ISO timestamp, DATE as `YYYY-MM-DD`, numbers only when finite. BYTES
 * have no JSON statistic.
 */
export function encodeStat(column: Scalar, value: unknown): JsonStat | undefined {
  switch (column.type) {
    case 'INT64':
    case 'TIMESTAMP_MICROS':
      return (value as bigint).toString();
    case 'TIMESTAMP_MILLIS':
      return (value as Date).toISOString();
    case 'DATE':
      return isoDate(value as Date);
    case 'BYTES':
      return undefined;
    case 'INT32':
    case 'FLOAT':
    case 'DOUBLE':
      return Number.isFinite(value) ? (value as number) : undefined;
    default:
      return value as JsonStat;
  }
}

/** The JS value of a statistic read from a commit; the inverse of {@link encodeStat}. */
export function decodeStat(column: Scalar, value: JsonStat): unknown {
  switch (column.type) {
    case 'INT64':
    case 'TIMESTAMP_MICROS':
      return BigInt(value as string);
    case 'TIMESTAMP_MILLIS':
    case 'DATE':
      return new Date(value as string);
    default:
      return value;
  }
}

/** Milliseconds of a DATE value's UTC midnight, or undefined when it is not a UTC midnight. */
export function dateDays(date: Date): number | undefined {
  const ms = date.getTime();
  return Number.isFinite(ms) && ms % DAY_MS === 0 ? ms / DAY_MS : undefined;
}
