/**
 * The JSON form of an Avro schema, as in the Avro specification and the Confluent registry.
 *
 * Any attribute the specification does not name (`connect.name`, custom metadata) is allowed,
 * hence the index signatures. A plain string is a primitive name (`"long"`) or a reference to a
 * named type defined earlier in the same schema.
 *
 * @example
 * ```ts
 * const order: AvroSchema = {
 *   type: 'record',
 *   name: 'Order',
 *   fields: [
 *     { name: 'id', type: { type: 'string', logicalType: 'uuid' } },
 *     { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
 *     { name: 'note', type: ['null', 'string'], default: null },
 *   ],
 * };
 * ```
 */
export type AvroSchema =
  | string
  | readonly AvroSchema[]
  | AvroPrimitiveSchema
  | AvroRecordSchema
  | AvroEnumSchema
  | AvroArraySchema
  | AvroMapSchema
  | AvroFixedSchema;

/** The primitive type names of the Avro specification. */
export type AvroPrimitiveType = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

/** Attributes any schema object may carry. */
export interface AvroSchemaAttributes {
  doc?: string;
  /** `timestamp-millis`, `timestamp-micros`, `date`, `decimal`, `uuid`; others are ignored (Avro spec). */
  logicalType?: string;
  [attribute: string]: unknown;
}

/** A primitive written as an object, usually to carry a logical type. */
export interface AvroPrimitiveSchema extends AvroSchemaAttributes {
  type: AvroPrimitiveType;
}

/** A record: named fields in order. */
export interface AvroRecordSchema extends AvroSchemaAttributes {
  type: 'record' | 'error';
  name: string;
  namespace?: string;
  aliases?: readonly string[];
  fields: readonly AvroField[];
}

/** A record field. A `default` is what a reader uses when the writer did not have the field. */
export interface AvroField {
  name: string;
  type: AvroSchema;
  default?: unknown;
  doc?: string;
  aliases?: readonly string[];
  order?: 'ascending' | 'descending' | 'ignore';
  [attribute: string]: unknown;
}

/** An enum; `default` is the symbol a reader uses for a writer symbol it does not know. */
export interface AvroEnumSchema extends AvroSchemaAttributes {
  type: 'enum';
  name: string;
  namespace?: string;
  aliases?: readonly string[];
  symbols: readonly string[];
  default?: string;
}

/** An array of `items`. */
export interface AvroArraySchema extends AvroSchemaAttributes {
  type: 'array';
  items: AvroSchema;
}

/** A map from strings to `values`. */
export interface AvroMapSchema extends AvroSchemaAttributes {
  type: 'map';
  values: AvroSchema;
}

/** A fixed number of bytes. */
export interface AvroFixedSchema extends AvroSchemaAttributes {
  type: 'fixed';
  name: string;
  namespace?: string;
  aliases?: readonly string[];
  size: number;
}
