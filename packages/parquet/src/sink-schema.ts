import { type AvroSchema, avroSchemaOf, avroToColumns, Columns, isScalarColumn, type TableSchema } from '@weir/avro';
import { type Serde, Serdes, type Windowed, windowedSerde } from '@weir/core';
import { TableError } from './errors.js';

// A registered symbol: the tag survives two copies of @weir/parquet in one process.
const WINDOWED_INNER = Symbol.for('weir.parquet.windowedKey');

/**
 * Core's `windowedSerde(inner)` (the bytes are identical), marked so that a Parquet sink knows its
 * keys are windowed and can derive the key's columns plus `window_start` and `window_end` from
 * `inner`. Use it as the sink's `keySerde` for a windowed aggregation's `toStream()`. Stateless.
 *
 * @param inner the serde of the key inside the window (`Serdes.String()`, an Avro serde, ...)
 * @returns a `Serde<Windowed<K>>`
 * @example
 * ```ts
 * counts.toStream().to(parquetSink(dir, { keySerde: windowedKeySerde(Serdes.String()), valueSerde: Serdes.Int64() }));
 * ```
 */
export function windowedKeySerde<K>(inner: Serde<K>): Serde<Windowed<K>> {
  const serde = windowedSerde(inner);
  Object.defineProperty(serde, WINDOWED_INNER, { value: inner, enumerable: false });
  return serde;
}

function windowedInner(serde: unknown): Serde<unknown> | undefined {
  return (serde as { [WINDOWED_INNER]?: Serde<unknown> } | undefined)?.[WINDOWED_INNER];
}

/** What {@link deriveSinkSchema} found. */
export interface DerivedSinkSchema {
  readonly schema: TableSchema;
  /** The scalar key columns: dictionary-encoded and sorted on by default. */
  readonly keyColumns: string[];
  /** Whether the key's (value's) fields are columns (an Avro record), rather than one column `key` (`value`). */
  readonly keyFields: boolean;
  readonly valueFields: boolean;
}

/** The columns of one side (key or value) of a record, or a reason why there are none. */
function isAvroRecord(schema: AvroSchema): boolean {
  if (typeof schema !== 'object' || Array.isArray(schema)) return false;
  const { type } = schema as { type?: unknown };
  return type === 'record' || type === 'error';
}

function sideColumns(serde: unknown, column: 'key' | 'value'): TableSchema | string {
  const schema: AvroSchema | undefined = avroSchemaOf(serde);
  if (schema !== undefined) {
    // A record's fields become columns; any other Avro type is one column named `key`/`value`,
    // mapped the same way (through a one-field record, so logical types and unions map alike).
    return isAvroRecord(schema)
      ? avroToColumns(schema)
      : avroToColumns({ type: 'record', name: 'WeirSinkColumn', fields: [{ name: column, type: schema }] });
  }
  // Core's serdes are singletons: identity says which one this is.
  if (serde === Serdes.String()) return [Columns.string(column)];
  if (serde === Serdes.Int64()) return [Columns.int64(column)];
  if (serde === Serdes.Int32()) return [Columns.int32(column)];
  if (serde === Serdes.Double()) return [Columns.double(column)];
  if (serde === undefined) return `no ${column} serde was given (JSON by default, which carries no schema)`;
  return `the ${column} serde carries no schema (use avroSerde(schema), confluentAvroSerde({ schema }), Serdes.String(), Int32(), Int64() or Double()${column === 'key' ? ', or windowedKeySerde(inner) for windowed keys' : ''})`;
}

/**
 * The table columns of a sink's records, from its serdes: the key's columns (the fields of an
 * Avro record key, else one column `key`), `window_start` and `window_end` (TIMESTAMP_MILLIS)
 * for keys of {@link windowedKeySerde}, then the value's columns (the fields of an Avro record
 * value via `avroToColumns`, else one column `value`). These are exactly the columns
 * `defaultRow` fills.
 *
 * @param sink the sink's name, for messages
 * @throws TableError when a serde carries no schema, or a key and a value column share a name
 */
export function deriveSinkSchema(sink: string, keySerde: unknown, valueSerde: unknown): DerivedSinkSchema {
  const inner = windowedInner(keySerde);
  const key = sideColumns(inner ?? keySerde, 'key');
  const value = sideColumns(valueSerde, 'value');
  const problems = [key, value].filter((side): side is string => typeof side === 'string');
  if (problems.length > 0) {
    throw new TableError(`parquet sink ${sink}: cannot derive the table schema: ${problems.join('; ')}. Pass options.schema (and toRow if needed)`);
  }
  const keyColumns = key as TableSchema;
  const windowColumns = inner === undefined ? [] : [Columns.timestampMillis('window_start'), Columns.timestampMillis('window_end')];
  const schema = [...keyColumns, ...windowColumns, ...(value as TableSchema)];
  const seen = new Set<string>();
  for (const column of schema) {
    if (seen.has(column.name)) {
      throw new TableError(
        `parquet sink ${sink}: cannot derive the table schema: column "${column.name}" comes from both the key and the value. Pass options.schema and toRow`,
      );
    }
    seen.add(column.name);
  }
  const fields = (serde: unknown) => {
    const avro = avroSchemaOf(serde);
    return avro !== undefined && isAvroRecord(avro);
  };
  return {
    schema,
    keyColumns: keyColumns.filter(isScalarColumn).map((c) => c.name),
    keyFields: fields(inner ?? keySerde),
    valueFields: fields(valueSerde),
  };
}
