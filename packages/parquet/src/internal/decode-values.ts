import type { Column } from '@weir/avro';
import { bytesToUnscaled, unscaledToDecimal } from './decimal.js';

/**
 * Turns a value as hyparquet returns it (with Weir's read options, see read-parquet.ts) into the
 * column model: DECIMAL from its unscaled integer (read raw, never through a float) to a string,
 * `undefined` to `null`, and the same inside records, lists and maps.
 */
export function decodeValue(column: Column, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const { type } = column;
  if (typeof type === 'string') {
    switch (column.type) {
      case 'DECIMAL': {
        const unscaled = value instanceof Uint8Array ? bytesToUnscaled(value) : BigInt(value as number | bigint);
        return unscaledToDecimal(unscaled, column.scale);
      }
      case 'INT64':
      case 'TIMESTAMP_MICROS':
        return typeof value === 'bigint' ? value : BigInt(value as number);
      default:
        return value;
    }
  }
  switch (type.kind) {
    case 'record': {
      const record = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const field of type.fields) out[field.name] = decodeValue(field, record[field.name]);
      return out;
    }
    case 'list':
      return (value as unknown[]).map((item) => decodeValue(type.element, item));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value as object)) out[key] = decodeValue(type.value, item);
      return out;
    }
  }
}

/** True when `column` or a column nested in it is a DECIMAL (which must be read raw). */
export function hasDecimal(column: Column): boolean {
  const { type } = column;
  if (typeof type === 'string') return type === 'DECIMAL';
  switch (type.kind) {
    case 'record':
      return type.fields.some(hasDecimal);
    case 'list':
      return hasDecimal(type.element);
    case 'map':
      return hasDecimal(type.key) || hasDecimal(type.value);
  }
}
