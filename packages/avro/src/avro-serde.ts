import type { Serde } from '@weir/core';
import type { AvroSchema } from './avro-schema.js';
import { tagAvroSchema } from './avro-schema-of.js';
import { asBuffer, decode, encode } from './internal/codec.js';
import { parseSchema } from './internal/parse.js';
import { resolverFor } from './internal/resolve.js';

/** Options of {@link avroSerde}. */
export interface AvroSerdeOptions {
  /**
   * The schema the bytes on the topic were written with, when it is not `schema` itself (an older
   * version, say). Values are read into `schema` through Avro schema resolution: fields the writer
   * lacks take their defaults, fields the reader lacks are skipped. Serializing always writes
   * `schema`. Default: `schema`.
   */
  writerSchema?: AvroSchema;
}

/**
 * Avro binary encoding without any framing: the bytes are exactly one Avro datum. Stateless.
 *
 * Both sides must agree on the schema out of band; for topics whose schemas live in a registry
 * use {@link confluentAvroSerde}. JS values (see the package documentation for the full table):
 * `long` is a `bigint`, `timestamp-millis` a `Date`, `timestamp-micros` a `bigint` of
 * microseconds, `date` a `Date` at UTC midnight, `decimal` a `string`, `uuid` a `string`,
 * `bytes`/`fixed` a `Buffer`, a map a plain object, `["null", T]` is `T | null`.
 *
 * @param schema the Avro schema of the values (the reader schema when `writerSchema` is given)
 * @returns a `Serde<T>`; `null` passes through as a tombstone
 * @throws InvalidSchemaError when a schema does not parse
 * @throws IncompatibleSchemaError when `schema` cannot read `writerSchema` data, naming the fields
 * @example
 * ```ts
 * interface Click { user: string; at: Date; count: bigint }
 * const clicks = avroSerde<Click>({
 *   type: 'record',
 *   name: 'Click',
 *   fields: [
 *     { name: 'user', type: 'string' },
 *     { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
 *     { name: 'count', type: 'long' },
 *   ],
 * });
 * const bytes = clicks.serialize('clicks', { user: 'ada', at: new Date(), count: 1n });
 * ```
 */
export function avroSerde<T>(schema: AvroSchema, options: AvroSerdeOptions = {}): Serde<T> {
  const { writerSchema } = options;
  const type = parseSchema(schema);
  const resolver = writerSchema === undefined ? undefined : resolverFor(type, parseSchema(writerSchema));
  const label = 'Avro serde';
  // Tagged so that a Parquet sink can derive its columns from the serde (`avroSchemaOf`).
  return tagAvroSchema<Serde<T>>({
    serialize(topic, data) {
      if (data === null || data === undefined) return null;
      return encode(label, type, topic, data);
    },
    deserialize(topic, data) {
      if (data === null || data === undefined) return null;
      return decode(label, type, resolver, topic, asBuffer(data), 0) as T;
    },
  }, schema);
}
