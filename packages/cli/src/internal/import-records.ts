import { type AvroSchema, avroSerde, avroToColumns, type Column, columnsToAvro, InvalidSchemaError, type TableSchema } from '@weir/avro';
import type { Serde } from '@weir/core';
import { UsageError } from '../errors.js';
import { printable, toJson } from './format-value.js';

/** How `weir import` writes record values. */
export type ImportFormat = 'json' | 'avro';

/** A row turned into a Kafka record's parts. */
export interface RecordParts {
  key: Buffer | string | null;
  value: Buffer;
  /** Epoch milliseconds, as kafkajs wants it (a decimal string); absent: the producer's clock. */
  timestamp?: string;
}

/** Turns rows into record parts; built once per import, applied per row. */
export type RecordEncoder = (row: Record<string, unknown>) => RecordParts;

const TIMESTAMP_TYPES = new Set(['TIMESTAMP_MILLIS', 'TIMESTAMP_MICROS', 'DATE', 'INT64', 'INT32']);

/**
 * A column value as JSON text, the encoding of `weir query --format json`: INT64 (and other
 * bigints) as JSON numbers with every digit, TIMESTAMP_MILLIS as ISO 8601 with milliseconds,
 * TIMESTAMP_MICROS as ISO 8601 with microseconds, DATE as `YYYY-MM-DD`, DECIMAL as a string,
 * BYTES as `0x` hex.
 */
export function jsonValue(value: unknown, column: Column | undefined): string {
  return toJson(printable(value, column));
}

/** The string form of a one-column key: JSON's, without quotes around a string. */
function keyText(value: unknown, column: Column): string | Buffer | null {
  if (value === null || value === undefined) return null;
  // Bytes keys stay bytes: a hex string would not equal the key another producer wrote.
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const p = printable(value, column);
  return typeof p === 'string' ? p : toJson(p);
}

/** The record timestamp (epoch ms) of a timestamp column's value. */
function timestampOf(value: unknown, column: Column): string {
  if (value instanceof Date) return String(value.getTime());
  // TIMESTAMP_MICROS is microseconds; an INT64 or INT32 column is taken as epoch milliseconds.
  if (typeof value === 'bigint') return String(column.type === 'TIMESTAMP_MICROS' ? value / 1000n - (value % 1000n < 0n ? 1n : 0n) : value);
  return String(value);
}

/**
 * The Avro schema `--format avro` writes when no `--schema` is given: `columnsToAvro` (@weir/avro)
 * of the value columns, the record named after the topic.
 * @throws UsageError when a column name is not a valid Avro name
 */
function derivedAvroSchema(columns: TableSchema, topic: string): AvroSchema {
  try {
    return columnsToAvro(columns, topic);
  } catch (error) {
    if (!(error instanceof InvalidSchemaError)) throw error;
    throw new UsageError(`${error.message}; pass an Avro schema with --schema and rename it upstream`, { cause: error });
  }
}

// avsc writes bytes from Buffers only; the Parquet reader gives Uint8Arrays.
function toAvroValue(value: unknown): unknown {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(toAvroValue);
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toAvroValue(v);
    return out;
  }
  return value;
}

/** What {@link recordEncoder} needs. */
export interface EncoderOptions {
  /** The columns rows hold (read from the source): the value's, and the key and timestamp columns. */
  columns: TableSchema;
  /** The columns of the record value, in order. Default: every one of `columns`. */
  valueColumns?: readonly string[];
  /** Key columns: one gives its string form, several a JSON object of them. Default: no key. */
  keyColumns?: readonly string[];
  /** The column giving the record timestamp. Default: the producer's clock. */
  timestampColumn?: string;
  format: ImportFormat;
  /** For `avro`: the writer schema. Default: derived from the value columns (`columnsToAvro` of @weir/avro). */
  avroSchema?: AvroSchema;
  /** Names the derived Avro record. */
  topic: string;
}

/**
 * The columns a given Avro schema declares: the ones the source must have with these types.
 * @throws UsageError when the schema is not a record of mappable fields
 */
export function avroColumns(schema: AvroSchema): TableSchema {
  try {
    return avroToColumns(schema);
  } catch (error) {
    throw new UsageError(`--schema: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Builds the row encoder of an import, checking the options against the columns first.
 * @throws UsageError naming an unknown key or timestamp column, or a timestamp column of a type without an instant
 */
export function recordEncoder(options: EncoderOptions): { encode: RecordEncoder; avroSchema?: AvroSchema } {
  const { columns, keyColumns = [], timestampColumn, format, topic } = options;
  const names = columns.map((c) => c.name);
  const find = (name: string, what: string): Column => {
    const column = columns.find((c) => c.name === name);
    if (column === undefined) throw new UsageError(`unknown column "${name}" in ${what}; the source has columns ${names.join(', ')}`);
    return column;
  };
  const valueColumns = options.valueColumns === undefined ? columns : options.valueColumns.map((name) => find(name, 'the value columns'));
  const keys = keyColumns.map((name) => find(name, '--key'));
  const time = timestampColumn === undefined ? undefined : find(timestampColumn, '--timestamp');
  if (time !== undefined && (typeof time.type !== 'string' || !TIMESTAMP_TYPES.has(time.type))) {
    throw new UsageError(
      `--timestamp column "${time.name}" is ${typeof time.type === 'string' ? time.type : time.type.kind}: expected TIMESTAMP_MILLIS, TIMESTAMP_MICROS, DATE, or INT64/INT32 epoch milliseconds`,
    );
  }
  let value: (row: Record<string, unknown>) => Buffer;
  let avroSchema: AvroSchema | undefined;
  if (format === 'avro') {
    avroSchema = options.avroSchema ?? derivedAvroSchema(valueColumns, topic);
    const serde: Serde<unknown> = avroSerde(avroSchema);
    // avsc ignores fields its record does not have (key or timestamp columns outside the value).
    value = (row) => serde.serialize(topic, toAvroValue(row)) as Buffer;
  } else {
    const typed = valueColumns.map((column) => ({ column, prefix: `${JSON.stringify(column.name)}:` }));
    value = (row) => {
      let text = '{';
      for (let i = 0; i < typed.length; i++) {
        const { column, prefix } = typed[i]!;
        text += `${i === 0 ? '' : ','}${prefix}${jsonValue(row[column.name], column)}`;
      }
      return Buffer.from(`${text}}`);
    };
  }
  const key =
    keys.length === 0
      ? () => null
      : keys.length === 1
        ? (row: Record<string, unknown>) => keyText(row[keys[0]!.name], keys[0]!)
        : (row: Record<string, unknown>) => `{${keys.map((c) => `${JSON.stringify(c.name)}:${jsonValue(row[c.name], c)}`).join(',')}}`;
  const encode: RecordEncoder = (row) => {
    const parts: RecordParts = { key: key(row), value: value(row) };
    if (time !== undefined) {
      const t = row[time.name];
      if (t === null || t === undefined) throw new Error(`--timestamp column "${time.name}" is null`);
      parts.timestamp = timestampOf(t, time);
    }
    return parts;
  };
  return avroSchema === undefined ? { encode } : { encode, avroSchema };
}
