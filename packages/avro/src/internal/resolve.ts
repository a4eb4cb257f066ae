import type avro from 'avsc';
import { IncompatibleSchemaError } from '../errors.js';
import type { Resolver } from './codec.js';
import { compatibilityIssues } from './compatibility.js';
import { typeLabel } from './describe.js';
import { schemaText } from './parse.js';

/**
 * The resolver that reads `writer` data as `reader` values, or `undefined` when both schemas are
 * the same (decoding with the reader type directly is then faster).
 * @throws IncompatibleSchemaError naming the fields the reader cannot read
 */
export function resolverFor(reader: avro.Type, writer: avro.Type): Resolver | undefined {
  if (schemaText(reader) === schemaText(writer)) return undefined;
  const issues = compatibilityIssues(reader, writer);
  if (issues.length > 0) throw new IncompatibleSchemaError(issues);
  try {
    // Avro matches named types by unqualified name; avsc compares full names unless told.
    return reader.createResolver(writer, { ignoreNamespaces: true });
  } catch (cause) {
    // The checker and avsc disagree: report avsc's reason rather than fail obscurely later.
    const message = `${typeLabel(writer)} data cannot be read as ${typeLabel(reader)}: ${(cause as Error).message}`;
    throw new IncompatibleSchemaError([{ path: '', message }], { cause });
  }
}
