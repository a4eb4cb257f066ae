import type { Column, ScalarColumn } from '@weir/avro';
import { InvalidRowError } from '../errors.js';
import { decimalToUnscaled } from './decimal.js';
import { dateDays } from './values.js';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : String(value);
}

function invalid(path: string, column: Column, value: unknown, expected: string): never {
  const type = typeof column.type === 'string' ? column.type : column.type.kind;
  throw new InvalidRowError(`Column "${path}" (${type}) expects ${expected}, got ${describe(value)}`);
}

function uuidBytes(value: string): Uint8Array {
  const hex = value.replace(/-/g, '');
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function encodeScalar(column: Column, value: unknown, path: string): unknown {
  switch (column.type) {
    case 'STRING':
      return typeof value === 'string' ? value : invalid(path, column, value, 'a string');
    case 'BOOLEAN':
      return typeof value === 'boolean' ? value : invalid(path, column, value, 'a boolean');
    case 'INT32':
      return Number.isInteger(value) && (value as number) >= -(2 ** 31) && (value as number) < 2 ** 31
        ? value
        : invalid(path, column, value, 'an integer number in the int32 range');
    case 'INT64':
    case 'TIMESTAMP_MICROS':
      return typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX
        ? value
        : invalid(path, column, value, 'a bigint in the int64 range');
    case 'FLOAT':
    case 'DOUBLE':
      return typeof value === 'number' ? value : invalid(path, column, value, 'a number');
    case 'BYTES':
      return value instanceof Uint8Array ? value : invalid(path, column, value, 'a Uint8Array');
    case 'TIMESTAMP_MILLIS':
      return value instanceof Date && !Number.isNaN(value.getTime())
        ? BigInt(value.getTime())
        : invalid(path, column, value, 'a valid Date');
    case 'DATE': {
      const days = value instanceof Date ? dateDays(value) : undefined;
      return days ?? invalid(path, column, value, 'a Date at UTC midnight');
    }
    case 'UUID':
      return typeof value === 'string' && UUID.test(value) ? uuidBytes(value) : invalid(path, column, value, 'a UUID string');
    case 'DECIMAL': {
      if (typeof value !== 'string') invalid(path, column, value, `a decimal string with ${column.scale} fraction digits`);
      const unscaled = decimalToUnscaled(value, column.precision, column.scale);
      if (typeof unscaled === 'string') {
        throw new InvalidRowError(`Column "${path}" (DECIMAL(${column.precision},${column.scale})): ${unscaled}`);
      }
      return unscaled;
    }
    default:
      throw new Error('unreachable');
  }
}

// Map keys arrive as object keys (strings) in the column model: turn them back into the key type.
function mapKey(key: ScalarColumn, raw: unknown, path: string): unknown {
  if (typeof raw !== 'string') return encodeValue(key, raw, path);
  switch (key.type) {
    case 'INT32':
    case 'FLOAT':
    case 'DOUBLE':
      return encodeValue(key, Number(raw), path);
    case 'INT64':
    case 'TIMESTAMP_MICROS':
      return /^-?\d+$/.test(raw) ? encodeValue(key, BigInt(raw), path) : invalid(path, key, raw, 'an integer key');
    case 'BOOLEAN':
      return encodeValue(key, raw === 'true' ? true : raw === 'false' ? false : raw, path);
    case 'DATE':
    case 'TIMESTAMP_MILLIS':
      return encodeValue(key, new Date(raw), path);
    default:
      return encodeValue(key, raw, path);
  }
}

/**
 * Checks `value` against `column` and turns it into what hyparquet-writer writes: epoch numbers
 * for DATE and TIMESTAMP_MILLIS, unscaled bigints for DECIMAL, 16 bytes for UUID, `{key, value}`
 * entries for maps, and the same shapes for nested records and lists.
 *
 * @throws InvalidRowError naming the column path, its type and the offending value
 */
export function encodeValue(column: Column, value: unknown, path: string = column.name): unknown {
  if (value === null || value === undefined) {
    if (!column.nullable) throw new InvalidRowError(`Column "${path}" is not nullable, got ${String(value)}`);
    return null;
  }
  const { type } = column;
  if (typeof type === 'string') return encodeScalar(column, value, path);
  switch (type.kind) {
    case 'record': {
      if (typeof value !== 'object' || Array.isArray(value)) invalid(path, column, value, 'an object');
      const record = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const field of type.fields) out[field.name] = encodeValue(field, record[field.name], `${path}.${field.name}`);
      return out;
    }
    case 'list':
      if (!Array.isArray(value)) invalid(path, column, value, 'an array');
      return (value as unknown[]).map((item) => encodeValue(type.element, item, `${path}[]`));
    case 'map': {
      const entries =
        value instanceof Map
          ? [...value.entries()]
          : typeof value === 'object' && !Array.isArray(value)
            ? Object.entries(value as object)
            : invalid(path, column, value, 'a plain object or a Map');
      return entries.map(([key, item]) => ({
        key: mapKey(type.key, key, `${path}{key}`),
        value: encodeValue(type.value, item, `${path}{}`),
      }));
    }
  }
}
