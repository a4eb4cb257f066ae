import { WeirError, type WeirErrorContext } from '@weir/core';

/** Options every @weir/avro error accepts, as `WeirError`'s. */
export interface AvroErrorOptions {
  cause?: unknown;
  context?: WeirErrorContext;
}

/**
 * A schema that is not valid: an Avro schema avsc cannot parse (unknown type name, bad default,
 * invalid name, ...), or a column that breaks the column model's rules (decimal scale, duplicate field).
 */
export class InvalidSchemaError extends WeirError {
  override name = 'InvalidSchemaError';
}

/**
 * A valid Avro schema that has no column mapping (a union of two non-null types, a recursive
 * record, a top-level schema that is not a record). The message names the field.
 */
export class UnsupportedSchemaError extends WeirError {
  override name = 'UnsupportedSchemaError';
}

/** One reason why a new schema cannot read data written with an old one. */
export interface SchemaIssue {
  /** Dotted path of the field or column (`address.zip`, `tags[]`, `attrs{}`); `''` for the root. */
  readonly path: string;
  /** The whole sentence, naming the field: `field "count" changed type from long to string`. */
  readonly message: string;
}

/**
 * A schema change that breaks readers of old data (Avro BACKWARD compatibility, or a table
 * column change). `issues` lists every problem found; the message joins them.
 */
export class IncompatibleSchemaError extends WeirError {
  override name = 'IncompatibleSchemaError';
  readonly issues: readonly SchemaIssue[];

  constructor(issues: readonly SchemaIssue[], options: AvroErrorOptions & { subject?: string } = {}) {
    const where = options.subject === undefined ? '' : ` for subject "${options.subject}"`;
    super(`Incompatible schema change${where}: ${issues.map((i) => i.message).join('; ')}`, options);
    this.issues = issues;
  }
}

/** A schema registry has no schema under the id or subject asked for. */
export class SchemaNotFoundError extends WeirError {
  override name = 'SchemaNotFoundError';
}
