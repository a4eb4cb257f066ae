import type { AvroField, AvroSchema } from './avro-schema.js';
import type { Column, TableSchema } from './columns.js';
import { InvalidSchemaError } from './errors.js';

// Spec: an Avro name starts with [A-Za-z_] and continues with [A-Za-z0-9_].
const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// Nested records are named by the path of their column, so that every name in the schema is unique.
function avroType(column: Column, path: string): AvroSchema {
  const type = ((): AvroSchema => {
    const t = column.type;
    if (typeof t === 'string') {
      switch (column.type) {
        case 'STRING':
          return 'string';
        case 'BOOLEAN':
          return 'boolean';
        case 'INT32':
          return 'int';
        case 'INT64':
          return 'long';
        case 'FLOAT':
          return 'float';
        case 'DOUBLE':
          return 'double';
        case 'BYTES':
          return 'bytes';
        case 'TIMESTAMP_MILLIS':
          return { type: 'long', logicalType: 'timestamp-millis' };
        case 'TIMESTAMP_MICROS':
          return { type: 'long', logicalType: 'timestamp-micros' };
        case 'DATE':
          return { type: 'int', logicalType: 'date' };
        case 'UUID':
          return { type: 'string', logicalType: 'uuid' };
        case 'DECIMAL':
          return { type: 'bytes', logicalType: 'decimal', precision: column.precision, scale: column.scale };
      }
    }
    switch (t.kind) {
      case 'record':
        return { type: 'record', name: path, fields: avroFields(t.fields, path) };
      case 'list':
        return { type: 'array', items: avroType(t.element, `${path}_element`) };
      case 'map':
        // Avro map keys are strings; avroToColumns reads every map key as a STRING column too.
        return { type: 'map', values: avroType(t.value, `${path}_value`) };
    }
  })();
  return column.nullable ? ['null', type] : type;
}

function avroFields(columns: TableSchema, path: string): AvroField[] {
  return columns.map((column) => {
    if (!AVRO_NAME.test(column.name)) {
      throw new InvalidSchemaError(
        `column "${column.name}" is not a valid Avro field name: it must match ${AVRO_NAME.source}`,
      );
    }
    const field: AvroField = { name: column.name, type: avroType(column, `${path}_${column.name}`) };
    // A nullable field defaults to null, so that readers of this schema accept data without it.
    if (column.nullable) field.default = null;
    if (column.doc !== undefined) field.doc = column.doc;
    return field;
  });
}

/**
 * The Avro record schema of columns, the inverse of {@link avroToColumns}: what a producer
 * writes when its records are rows of a Weir table (`weir import --format avro`). Pure: it builds
 * a schema and touches nothing else.
 *
 * | column             | Avro                                                   |
 * |--------------------|--------------------------------------------------------|
 * | `STRING`           | `string`                                               |
 * | `BOOLEAN`          | `boolean`                                              |
 * | `INT32`            | `int`                                                  |
 * | `INT64`            | `long`                                                 |
 * | `FLOAT`, `DOUBLE`  | `float`, `double`                                      |
 * | `BYTES`            | `bytes`                                                |
 * | `TIMESTAMP_MILLIS` | `long` with logical type `timestamp-millis`            |
 * | `TIMESTAMP_MICROS` | `long` with logical type `timestamp-micros`            |
 * | `DATE`             | `int` with logical type `date`                         |
 * | `DECIMAL(p, s)`    | `bytes` with logical type `decimal`, precision p, scale s |
 * | `UUID`             | `string` with logical type `uuid`                      |
 * | record             | a record named by its column's path (`<name>_<column>`) |
 * | list               | `array` of the element                                 |
 * | map                | `map` of the value (Avro map keys are strings: a map with another key type comes back from `avroToColumns` with a STRING key) |
 *
 * A nullable column becomes `["null", T]` and its field defaults to `null`; a column's `doc` is
 * its field's `doc`. So `avroToColumns(columnsToAvro(columns, name))` equals `columns` for every
 * column whose map keys, if any, are strings.
 *
 * @param columns - the columns, in field order
 * @param name - the record's name; characters outside `[A-Za-z0-9_]` become `_`, and one that
 *   does not start with a letter or `_` gets a leading `_`
 * @returns an Avro record schema, for {@link avroSerde} or a schema registry
 * @throws InvalidSchemaError when a column name is not a valid Avro name (e.g. `user-name`)
 *
 * @example
 * ```ts
 * columnsToAvro([Columns.string('user'), Columns.int64('count', { nullable: true })], 'clicks-topic');
 * // { type: 'record', name: 'clicks_topic', fields: [
 * //   { name: 'user', type: 'string' },
 * //   { name: 'count', type: ['null', 'long'], default: null } ] }
 * ```
 */
export function columnsToAvro(columns: TableSchema, name: string): AvroSchema {
  let recordName = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(recordName)) recordName = `_${recordName}`;
  return { type: 'record', name: recordName, fields: avroFields(columns, recordName) };
}
