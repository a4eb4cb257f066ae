import type { AvroSchema } from './avro-schema.js';

// A registered symbol, so that a serde built by another copy of @weir/avro still answers.
const AVRO_SCHEMA = Symbol.for('weir.avro.schema');

/** Marks a serde as carrying values of `schema` (not part of the public API). */
export function tagAvroSchema<S extends object>(serde: S, schema: AvroSchema | undefined): S {
  Object.defineProperty(serde, AVRO_SCHEMA, { value: schema, enumerable: false });
  return serde;
}

/**
 * The Avro schema of the values a serde of `@weir/avro` produces and accepts: the schema of
 * {@link avroSerde}, the reader `schema` of {@link confluentAvroSerde}. Lets a consumer of the
 * values (a Parquet sink deriving its columns) learn their shape from the serde alone.
 *
 * @param serde any serde
 * @returns the schema, or `undefined` for a serde that is not an Avro serde or has no fixed
 *   schema (a Confluent serde without `schema` reads each record in its own writer schema)
 * @example
 * ```ts
 * avroSchemaOf(avroSerde(clickSchema)); // clickSchema
 * avroSchemaOf(Serdes.String()); // undefined
 * ```
 */
export function avroSchemaOf(serde: unknown): AvroSchema | undefined {
  if (typeof serde !== 'object' || serde === null) return undefined;
  return (serde as { [AVRO_SCHEMA]?: AvroSchema })[AVRO_SCHEMA];
}
