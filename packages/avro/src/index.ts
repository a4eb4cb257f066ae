/**
 * @weir/avro: Avro serdes on avsc (plain binary and the Confluent wire format), schema
 * registries, schema evolution checks, and the column model of Weir tables.
 *
 * JS values of Avro types, the same in every serde and in the column model:
 *
 * | Avro                           | JS value                                                        |
 * |--------------------------------|-----------------------------------------------------------------|
 * | `null`, `boolean`, `string`    | `null`, `boolean`, `string`                                     |
 * | `int`, `float`, `double`       | `number`                                                        |
 * | `long`                         | `bigint`, always (exact over the whole 64-bit range)            |
 * | `bytes`, `fixed`               | `Buffer` (avsc requires a Buffer when writing)                  |
 * | `enum`                         | the symbol, a `string`                                          |
 * | record, array, map             | object, array, plain object with string keys                    |
 * | `["null", T]`, `[T, "null"]`   | `T \| null`; other unions follow avsc (wrapped when ambiguous)  |
 * | `timestamp-millis` (long)      | `Date` (exact: a Date holds milliseconds)                       |
 * | `timestamp-micros` (long)      | `bigint` microseconds since the epoch (a Date would drop them)  |
 * | `date` (int)                   | `Date` at UTC midnight; other times of day are refused          |
 * | `decimal` (bytes, fixed)       | `string` with exactly `scale` fraction digits: `"-12.50"`       |
 * | `uuid` (string, fixed 16)      | `string`                                                        |
 *
 * Other logical types (`time-millis`, `local-timestamp-*`, ...) read as their underlying type.
 *
 * @packageDocumentation
 */
export type * from './avro-schema.js';
export { avroSchemaOf } from './avro-schema-of.js';
export { avroSerde, type AvroSerdeOptions } from './avro-serde.js';
export { checkCompatible, findIncompatibilities } from './check-compatible.js';
export {
  type ConfluentAvroSerde,
  type ConfluentAvroSerdeOptions,
  confluentAvroSerde,
  confluentSchemaId,
  type PrepareOptions,
} from './confluent-avro-serde.js';
export * from './errors.js';
export {
  InMemorySchemaRegistry,
  type InMemorySchemaRegistryOptions,
  type RegisteredSchema,
} from './in-memory-schema-registry.js';
export {
  type SchemaRegistry,
  type SubjectContext,
  type SubjectNameStrategy,
  SubjectNameStrategies,
} from './schema-registry.js';
export { avroToColumns } from './avro-to-columns.js';
export { columnsToAvro } from './columns-to-avro.js';
export {
  type Column,
  type ColumnBase,
  type ColumnOptions,
  Columns,
  type ColumnType,
  type DecimalColumn,
  type DecimalColumnOptions,
  isScalarColumn,
  type ListColumn,
  type ListColumnType,
  type MapColumn,
  type MapColumnOptions,
  type MapColumnType,
  type NestedColumnType,
  type RecordColumn,
  type RecordColumnType,
  type ScalarColumn,
  type TableSchema,
} from './columns.js';
export { type ColumnEvolution, evolveColumns } from './evolve-columns.js';
