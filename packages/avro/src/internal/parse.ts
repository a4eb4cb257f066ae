import avro from 'avsc';
import type { AvroSchema } from '../avro-schema.js';
import { InvalidSchemaError } from '../errors.js';
import { BoundedArrayType, BoundedMapType } from './bounded-collections.js';
import { LOGICAL_TYPES, LONG_LOGICAL_TYPES } from './logical-types.js';
import { BIGINT_LONG } from './long-type.js';

type ForSchemaOptions = NonNullable<Parameters<typeof avro.Type.forSchema>[1]>;
type AvscSchema = Parameters<typeof avro.Type.forSchema>[0];

// Schemas whose long-based logical type is being constructed: the LogicalType constructor asks
// avsc for its underlying type with the very same schema object, and must then get the bigint long.
const constructing = new WeakSet<object>();

/**
 * Builds the types Weir replaces. Every long, including the underlying long of a timestamp, must be the bigint long. avsc only
 * consults its registry for the string "long", not for `{ "type": "long" }`, so a hook is the
 * one place that sees every long. Arrays and maps get readers bounded by the bytes.
 */
function typeHook(schema: unknown, opts: ForSchemaOptions): avro.Type | undefined {
  if (schema === 'long') return BIGINT_LONG;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  const object = schema as Record<string, unknown>;
  if (object.type === 'array') return new BoundedArrayType(object as never, opts);
  if (object.type === 'map') return new BoundedMapType(object as never, opts);
  if (object.type !== 'long') return undefined;
  const logical = object.logicalType;
  const Logical =
    typeof logical === 'string' && Object.hasOwn(LONG_LOGICAL_TYPES, logical)
      ? LONG_LOGICAL_TYPES[logical as keyof typeof LONG_LOGICAL_TYPES]
      : undefined;
  if (Logical === undefined || constructing.has(object)) return BIGINT_LONG;
  constructing.add(object);
  try {
    return new Logical(object as never, opts);
  } finally {
    constructing.delete(object);
  }
}

function options(): Partial<ForSchemaOptions> {
  return {
    typeHook,
    logicalTypes: LOGICAL_TYPES as unknown as ForSchemaOptions['logicalTypes'],
    // Decoded records are instances of a generated class; without the methods they behave as
    // plain objects (no `clone`, `toBuffer`, ... among their keys' neighbours).
    omitRecordMethods: true,
  };
}

/**
 * Parses a schema into the avsc type Weir uses everywhere: bigint longs and Weir's logical types.
 * @throws InvalidSchemaError when avsc refuses the schema
 */
export function parseSchema(schema: AvroSchema): avro.Type {
  try {
    return avro.Type.forSchema(schema as AvscSchema, options());
  } catch (cause) {
    throw new InvalidSchemaError(`Invalid Avro schema: ${(cause as Error).message}`, { cause });
  }
}

/** The schema as JSON with every attribute (logical types, defaults, docs): two schemas with the same text read and write alike. */
export function schemaText(type: avro.Type): string {
  return JSON.stringify(type.schema({ exportAttrs: true }), (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
}
