import type { AvroSchema } from './avro-schema.js';
import { IncompatibleSchemaError, type SchemaIssue } from './errors.js';
import { compatibilityIssues } from './internal/compatibility.js';
import { parseSchema } from './internal/parse.js';

/**
 * Lists why `newSchema` cannot read data written with `oldSchema`; empty when it can.
 * The non-throwing form of {@link checkCompatible}, same rules.
 *
 * @example
 * ```ts
 * for (const issue of findIncompatibilities(v1, v2)) console.warn(issue.path, issue.message);
 * ```
 */
export function findIncompatibilities(oldSchema: AvroSchema, newSchema: AvroSchema): SchemaIssue[] {
  return compatibilityIssues(parseSchema(newSchema), parseSchema(oldSchema));
}

/**
 * Checks that a reader using `newSchema` can read every datum written with `oldSchema`:
 * Confluent's BACKWARD compatibility, the registry's default, so consumers can upgrade first.
 *
 * Following the Avro specification's schema resolution:
 * - an added field needs a default (`{ name: 'note', type: ['null', 'string'], default: null }`);
 * - a removed field is fine (readers skip it);
 * - promotions: int to long, float or double; long to float or double; float to double;
 *   string to bytes and back; a nullable union may widen (`long` to `["null", "long"]`);
 * - records, enums and fixed keep their name, or list the old one in `aliases`; an enum that
 *   loses a symbol needs a `default` symbol; a fixed keeps its size.
 *
 * Logical types are held to their meaning, stricter than the spec (which ignores them): a change
 * between `timestamp-millis` and `timestamp-micros`, or of a decimal's scale, is incompatible
 * (old values would be misread by a factor); a decimal may widen its precision at the same scale;
 * a logical type may be added over the same underlying type (`long` to `timestamp-millis`)
 * except `decimal`, and dropped (the reader then sees the underlying value).
 *
 * @param oldSchema the schema existing data was written with (the writer)
 * @param newSchema the schema readers will use (the reader)
 * @throws IncompatibleSchemaError naming each offending field:
 *   `Incompatible schema change: field "count" changed type from long to string`
 * @throws InvalidSchemaError when either schema does not parse
 * @example
 * ```ts
 * checkCompatible(v1, {
 *   ...v1,
 *   fields: [...v1.fields, { name: 'coupon', type: ['null', 'string'], default: null }],
 * }); // fine: readers fill in null for old records
 * ```
 */
export function checkCompatible(oldSchema: AvroSchema, newSchema: AvroSchema): void {
  const issues = findIncompatibilities(oldSchema, newSchema);
  if (issues.length > 0) throw new IncompatibleSchemaError(issues);
}
