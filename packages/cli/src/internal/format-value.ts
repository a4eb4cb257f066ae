import type { Column } from '@weir/avro';

/**
 * A value made printable: strings, numbers, booleans, null, bigints (kept exact), arrays and
 * plain objects of these. Dates, microsecond timestamps and bytes have become strings.
 */
export type Printable = string | number | boolean | bigint | null | Printable[] | { [key: string]: Printable };

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Bytes as `0x`-prefixed lowercase hex. */
export function hex(bytes: Uint8Array): string {
  let out = '0x';
  for (const b of bytes) out += HEX[b];
  return out;
}

/**
 * A TIMESTAMP_MICROS value (microseconds since the epoch) as ISO 8601 with six fraction digits,
 * `2026-11-26T10:00:00.123456Z`. Falls back to the number when outside a Date's range.
 */
export function microsToIso(micros: bigint): string {
  // Floor division, so instants before 1970 keep a positive sub-millisecond remainder.
  let millis = micros / 1000n;
  if (millis * 1000n > micros) millis -= 1n;
  const rest = micros - millis * 1000n;
  const date = new Date(Number(millis));
  if (Number.isNaN(date.getTime())) return micros.toString();
  return `${date.toISOString().slice(0, -1)}${rest.toString().padStart(3, '0')}Z`;
}

/**
 * Turns a value read from a table (or any plain data) into a {@link Printable}, using the
 * column's type where the JS value alone is ambiguous: a TIMESTAMP_MICROS bigint prints as a
 * timestamp, not a number; a DATE as `YYYY-MM-DD`, not a midnight timestamp.
 */
export function printable(value: unknown, column?: Column): Printable {
  if (value === null || value === undefined) return null;
  const type = column?.type;
  if (type === 'TIMESTAMP_MICROS' && typeof value === 'bigint') return microsToIso(value);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return 'Invalid Date';
    return type === 'DATE' ? value.toISOString().slice(0, 10) : value.toISOString();
  }
  if (value instanceof Uint8Array) return hex(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  if (Array.isArray(value)) return value.map((v) => printable(v));
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), printable(v)]));
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, printable(v)]));
  return String(value);
}

/**
 * JSON text of a printable value. Bigints are written as JSON numbers with all their digits
 * (JSON numbers have no size limit; `JSON.stringify` refuses bigints, and a JS number would
 * round INT64 values past 2^53).
 */
export function toJson(value: Printable): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A printable value as one line of text: `NULL` for null, JSON for nested values, control characters escaped. */
export function toText(value: Printable): string {
  if (value === null) return 'NULL';
  if (typeof value === 'object') return toJson(value);
  // One row, one line: a newline inside a value would break the table's alignment.
  if (typeof value === 'string') return value.replace(/[\n\r\t]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
  return String(value);
}

/** A printable value as a CSV field (RFC 4180): empty for null, quoted when it holds a comma, quote or line break. */
export function toCsv(value: Printable): string {
  if (value === null) return '';
  const text = typeof value === 'object' ? toJson(value) : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
