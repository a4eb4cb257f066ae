import { InvalidSchemaError } from './errors.js';

/**
 * The scalar column types of a Weir table: a neutral, Parquet-oriented model that @weir/parquet
 * maps to Parquet physical and logical types, and {@link avroToColumns} derives from Avro.
 *
 * JS values, the same as the Avro serdes produce:
 *
 * | type               | JS value                                               | Parquet (suggested)                  |
 * |--------------------|--------------------------------------------------------|--------------------------------------|
 * | `STRING`           | `string`                                               | BYTE_ARRAY, STRING                   |
 * | `BOOLEAN`          | `boolean`                                              | BOOLEAN                              |
 * | `INT32`            | `number` (an integer in int32 range)                   | INT32                                |
 * | `INT64`            | `bigint` (never a number: 2^53 is not enough)          | INT64                                |
 * | `FLOAT`            | `number` (stored as float32)                           | FLOAT                                |
 * | `DOUBLE`           | `number`                                               | DOUBLE                               |
 * | `BYTES`            | `Uint8Array` (a `Buffer` from Avro)                    | BYTE_ARRAY                           |
 * | `TIMESTAMP_MILLIS` | `Date` (exact: a Date is milliseconds since the epoch) | INT64, TIMESTAMP(MILLIS, UTC)        |
 * | `TIMESTAMP_MICROS` | `bigint` microseconds since the epoch (a Date would drop the micros) | INT64, TIMESTAMP(MICROS, UTC) |
 * | `DATE`             | `Date` at UTC midnight                                 | INT32, DATE                          |
 * | `DECIMAL`          | `string`, plain notation with exactly `scale` fraction digits (`"-12.50"`) | INT32/INT64/FIXED, DECIMAL(p, s) |
 * | `UUID`             | `string`, `8-4-4-4-12` hex                             | FIXED_LEN_BYTE_ARRAY(16), UUID       |
 *
 * Nested types: a record is a plain object, a list an array, a map a plain object keyed by the
 * (string) keys. A nullable column holds `null` for no value.
 */
export type ColumnType =
  | 'STRING'
  | 'BOOLEAN'
  | 'INT32'
  | 'INT64'
  | 'FLOAT'
  | 'DOUBLE'
  | 'BYTES'
  | 'TIMESTAMP_MILLIS'
  | 'TIMESTAMP_MICROS'
  | 'DATE'
  | 'DECIMAL'
  | 'UUID';

/** A group of named columns: a nested struct. */
export interface RecordColumnType {
  kind: 'record';
  fields: readonly Column[];
}

/** A list; its `element` column is named `element`, as in Parquet's three-level LIST. */
export interface ListColumnType {
  kind: 'list';
  element: Column;
}

/** A map; its columns are named `key` (never nullable) and `value`, as in Parquet's MAP. */
export interface MapColumnType {
  kind: 'map';
  key: ScalarColumn;
  value: Column;
}

/** The nested column types. */
export type NestedColumnType = RecordColumnType | ListColumnType | MapColumnType;

/** What every column has. */
export interface ColumnBase {
  name: string;
  /** True when the column may hold `null` (Parquet OPTIONAL), false for REQUIRED. */
  nullable: boolean;
  /** Documentation carried over from the Avro field. */
  doc?: string;
}

/** A column of one of the scalar types other than DECIMAL. */
export interface ScalarColumn extends ColumnBase {
  type: Exclude<ColumnType, 'DECIMAL'>;
}

/** A DECIMAL column: `precision` significant digits, `scale` of them after the point. */
export interface DecimalColumn extends ColumnBase {
  type: 'DECIMAL';
  precision: number;
  scale: number;
}

/** A nested record column. */
export interface RecordColumn extends ColumnBase {
  type: RecordColumnType;
}

/** A list column. */
export interface ListColumn extends ColumnBase {
  type: ListColumnType;
}

/** A map column. */
export interface MapColumn extends ColumnBase {
  type: MapColumnType;
}

/** A column of a table: plain data, JSON-serializable, so a table commit can record it. */
export type Column = ScalarColumn | DecimalColumn | RecordColumn | ListColumn | MapColumn;

/** The columns of a table, in order. */
export type TableSchema = readonly Column[];

/** Options of every column factory. */
export interface ColumnOptions {
  /** May the column hold `null`? Default: `false`. */
  nullable?: boolean;
  /** Documentation. Default: none. */
  doc?: string;
}

/** Options of {@link Columns.decimal}. */
export interface DecimalColumnOptions extends ColumnOptions {
  /** Significant digits, at least 1. */
  precision: number;
  /** Digits after the point, from 0 to `precision`. Default: `0`. */
  scale?: number;
}

/** Options of {@link Columns.map}. */
export interface MapColumnOptions extends ColumnOptions {
  /** The key column (renamed `key`, never nullable). Default: a STRING key, as Avro maps have. */
  key?: ScalarColumn;
}

/** True for the scalar types, false for a nested one. */
export function isScalarColumn(column: Column): column is ScalarColumn | DecimalColumn {
  return typeof column.type === 'string';
}

function base(name: string, options: ColumnOptions): ColumnBase {
  const { nullable = false, doc } = options;
  if (typeof name !== 'string' || name === '') throw new InvalidSchemaError('A column needs a non-empty name');
  return doc === undefined ? { name, nullable } : { name, nullable, doc };
}

function scalar(type: ScalarColumn['type']) {
  return (name: string, options: ColumnOptions = {}): ScalarColumn => ({ ...base(name, options), type });
}

/**
 * Typed factories for columns: plain objects, so they can also be written by hand.
 *
 * @example
 * ```ts
 * const schema: TableSchema = [
 *   Columns.string('user'),
 *   Columns.timestampMillis('window_start'),
 *   Columns.int64('count'),
 *   Columns.decimal('revenue', { precision: 18, scale: 2, nullable: true }),
 *   Columns.list('tags', Columns.string('element')),
 *   Columns.map('attributes', Columns.string('value', { nullable: true })),
 * ];
 * ```
 */
export const Columns = {
  /** STRING: `string`. */
  string: scalar('STRING'),
  /** BOOLEAN: `boolean`. */
  boolean: scalar('BOOLEAN'),
  /** INT32: `number`. */
  int32: scalar('INT32'),
  /** INT64: `bigint`. */
  int64: scalar('INT64'),
  /** FLOAT (32-bit): `number`. */
  float: scalar('FLOAT'),
  /** DOUBLE: `number`. */
  double: scalar('DOUBLE'),
  /** BYTES: `Uint8Array`. */
  bytes: scalar('BYTES'),
  /** TIMESTAMP_MILLIS (UTC): `Date`. */
  timestampMillis: scalar('TIMESTAMP_MILLIS'),
  /** TIMESTAMP_MICROS (UTC): `bigint` microseconds since the epoch. */
  timestampMicros: scalar('TIMESTAMP_MICROS'),
  /** DATE: `Date` at UTC midnight. */
  date: scalar('DATE'),
  /** UUID: `string`. */
  uuid: scalar('UUID'),

  /**
   * DECIMAL(precision, scale): `string` such as `"12.50"`.
   * @throws InvalidSchemaError unless 1 <= precision and 0 <= scale <= precision
   */
  decimal(name: string, options: DecimalColumnOptions): DecimalColumn {
    const { precision, scale = 0 } = options;
    if (!Number.isInteger(precision) || precision < 1) {
      throw new InvalidSchemaError(`Column "${name}": decimal precision must be an integer >= 1, got ${precision}`);
    }
    if (!Number.isInteger(scale) || scale < 0 || scale > precision) {
      throw new InvalidSchemaError(`Column "${name}": decimal scale must be within 0..${precision}, got ${scale}`);
    }
    return { ...base(name, options), type: 'DECIMAL', precision, scale };
  },

  /**
   * A nested record of `fields`: a plain object.
   * @throws InvalidSchemaError when two fields share a name
   */
  record(name: string, fields: readonly Column[], options: ColumnOptions = {}): RecordColumn {
    const seen = new Set<string>();
    for (const field of fields) {
      if (seen.has(field.name)) throw new InvalidSchemaError(`Column "${name}" has two fields named "${field.name}"`);
      seen.add(field.name);
    }
    return { ...base(name, options), type: { kind: 'record', fields } };
  },

  /** A list of `element` (renamed `element`; its `nullable` says whether items may be null): an array. */
  list(name: string, element: Column, options: ColumnOptions = {}): ListColumn {
    return { ...base(name, options), type: { kind: 'list', element: { ...element, name: 'element' } } };
  },

  /**
   * A map to `value` (renamed `value`) from STRING keys, or `options.key`: a plain object.
   * @throws InvalidSchemaError when the key is nullable
   */
  map(name: string, value: Column, options: MapColumnOptions = {}): MapColumn {
    const { key = Columns.string('key') } = options;
    if (key.nullable) throw new InvalidSchemaError(`Column "${name}": map keys cannot be nullable`);
    return {
      ...base(name, options),
      type: { kind: 'map', key: { ...key, name: 'key' }, value: { ...value, name: 'value' } },
    };
  },

  /** A copy of `column` that may hold `null`. */
  nullable<C extends Column>(column: C): C {
    return { ...column, nullable: true };
  },
} as const;
