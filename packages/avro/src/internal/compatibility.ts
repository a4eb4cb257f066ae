import type avro from 'avsc';
import type { SchemaIssue } from '../errors.js';
import { typeLabel, unionBranches, unqualified } from './describe.js';
import { DateType, DecimalType, TimestampMicrosType, TimestampMillisType, UuidType } from './logical-types.js';

/*
 * Avro schema resolution as a list of named problems, for a reader (the new schema) and a writer
 * (the old one): Confluent's BACKWARD compatibility. It follows the Avro specification and must
 * agree with what avsc's `createResolver` plus Weir's logical types accept, since the serdes
 * resolve with those. Logical types are stricter than the spec (which ignores them): a change of
 * unit or scale would let a spec reader misread every old value, so it is reported.
 */

// Avro spec, "Schema Resolution": the writer's type may be promoted to the reader's.
const PROMOTIONS: Record<string, readonly string[]> = {
  int: ['long', 'float', 'double'],
  long: ['float', 'double'],
  float: ['double'],
  string: ['bytes'],
  bytes: ['string'],
};

const LOGICAL_CLASSES = [TimestampMillisType, TimestampMicrosType, DateType, DecimalType, UuidType] as const;

function isWeirLogical(type: avro.Type): boolean {
  return LOGICAL_CLASSES.some((cls) => type instanceof cls);
}

function baseName(type: avro.Type): string {
  return type.typeName === 'abstract:long' ? 'long' : type.typeName === 'error' ? 'record' : type.typeName;
}

function subject(path: string): string {
  return path === '' ? 'the schema' : `field "${path}"`;
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

// Issues that only say "the type differs here": a union or a collection restates them for itself.
const typeChanges = new WeakSet<SchemaIssue>();

function changed(path: string, writer: avro.Type, reader: avro.Type, hint = ''): SchemaIssue {
  const issue = { path, message: `${subject(path)} changed type from ${typeLabel(writer)} to ${typeLabel(reader)}${hint}` };
  typeChanges.add(issue);
  return issue;
}

/** True when the issues say no more than "the types differ at `path`". */
function onlyChangedAt(issues: readonly SchemaIssue[], path: string): boolean {
  return issues.length > 0 && issues.every((issue) => issue.path === path && typeChanges.has(issue));
}

/** A reader logical type over a writer plain type: annotating old values, allowed where the value keeps its meaning. */
function logicalAcceptsPlain(reader: avro.Type, writer: avro.Type): boolean {
  const name = baseName(writer);
  if (reader instanceof TimestampMillisType || reader instanceof TimestampMicrosType) {
    return name === 'long' || name === 'int';
  }
  if (reader instanceof DateType) return name === 'int';
  if (reader instanceof UuidType) {
    return name === 'string' && (reader as avro.types.LogicalType).underlyingType.typeName === 'string';
  }
  // A plain bytes value has no scale: reading it as a decimal would invent one.
  return false;
}

class Walker {
  // Record pairs under comparison: a recursive schema meets itself again and is assumed fine there.
  private readonly seen = new Set<string>();

  walk(reader: avro.Type, writer: avro.Type, path: string): SchemaIssue[] {
    const writerBranches = unionBranches(writer);
    if (writerBranches !== undefined) return this.writerUnion(reader, writer, writerBranches, path);
    const readerBranches = unionBranches(reader);
    if (readerBranches !== undefined) return this.readerUnion(reader, writer, readerBranches, path);

    const readerLogical = isWeirLogical(reader);
    const writerLogical = isWeirLogical(writer);
    if (readerLogical && writerLogical) return this.logicals(reader, writer, path);
    if (readerLogical) return logicalAcceptsPlain(reader, writer) ? [] : [changed(path, writer, reader)];
    // A plain reader reads the writer's underlying value (a timestamp's long, a decimal's bytes).
    if (writerLogical) return this.walk(reader, (writer as avro.types.LogicalType).underlyingType, path);

    const r = baseName(reader);
    const w = baseName(writer);
    if (r !== w) return PROMOTIONS[w]?.includes(r) ? [] : [changed(path, writer, reader)];
    switch (r) {
      case 'record':
        return this.records(reader as avro.types.RecordType, writer as avro.types.RecordType, path);
      case 'enum':
        return this.enums(reader as avro.types.EnumType, writer as avro.types.EnumType, path);
      case 'fixed': {
        if (!sameName(reader, writer)) return [changed(path, writer, reader, aliasHint(writer))];
        const size = (reader as avro.types.FixedType).size;
        return size === (writer as avro.types.FixedType).size ? [] : [changed(path, writer, reader)];
      }
      case 'array':
        return this.nested(
          (reader as avro.types.ArrayType).itemsType,
          (writer as avro.types.ArrayType).itemsType,
          `${path}[]`,
          path,
          reader,
          writer,
        );
      case 'map':
        return this.nested(
          (reader as avro.types.MapType).valuesType as avro.Type,
          (writer as avro.types.MapType).valuesType as avro.Type,
          `${path}{}`,
          path,
          reader,
          writer,
        );
      default:
        return [];
    }
  }

  /** Every branch the writer may have used must be readable. */
  private writerUnion(reader: avro.Type, writer: avro.Type, branches: readonly avro.Type[], path: string): SchemaIssue[] {
    const issues = branches.flatMap((branch) => this.walk(reader, branch, path));
    const specific = issues.filter((issue) => !onlyChangedAt([issue], path));
    return specific.length === issues.length ? specific : [changed(path, writer, reader), ...specific];
  }

  /** The first reader branch that reads the writer's type is used (Avro spec). */
  private readerUnion(reader: avro.Type, writer: avro.Type, branches: readonly avro.Type[], path: string): SchemaIssue[] {
    let closest: SchemaIssue[] | undefined;
    for (const branch of branches) {
      const issues = this.walk(branch, writer, path);
      if (issues.length === 0) return [];
      // A branch of the same kind (the same record, ...) that differs inside explains best.
      if (closest === undefined && !onlyChangedAt(issues, path)) closest = issues;
    }
    return closest ?? [changed(path, writer, reader)];
  }

  private nested(
    reader: avro.Type,
    writer: avro.Type,
    innerPath: string,
    path: string,
    outerReader: avro.Type,
    outerWriter: avro.Type,
  ): SchemaIssue[] {
    const issues = this.walk(reader, writer, innerPath);
    // "array<long> to array<string>" reads better at the field than at `tags[]`.
    return onlyChangedAt(issues, innerPath) ? [changed(path, outerWriter, outerReader)] : issues;
  }

  private logicals(reader: avro.Type, writer: avro.Type, path: string): SchemaIssue[] {
    if (reader instanceof DecimalType && writer instanceof DecimalType) {
      if (reader.scale !== writer.scale) {
        return [changed(path, writer, reader, ': a new scale changes the value of every old decimal')];
      }
      if (reader.precision < writer.precision) {
        return [changed(path, writer, reader, ': old values may not fit the smaller precision')];
      }
      return [];
    }
    const same = LOGICAL_CLASSES.some((cls) => reader instanceof cls && writer instanceof cls);
    return same ? [] : [changed(path, writer, reader)];
  }

  private records(reader: avro.types.RecordType, writer: avro.types.RecordType, path: string): SchemaIssue[] {
    if (!sameName(reader, writer)) return [changed(path, writer, reader, aliasHint(writer))];
    const key = `${reader.name}\u0000${writer.name}`;
    if (this.seen.has(key)) return [];
    this.seen.add(key);
    try {
      const byName = new Map(writer.fields.map((field) => [field.name, field]));
      const issues: SchemaIssue[] = [];
      for (const field of reader.fields) {
        const fieldPath = join(path, field.name);
        const matches = [field.name, ...(field.aliases ?? [])].filter((name) => byName.has(name));
        const match = matches[0];
        if (matches.length > 1) {
          issues.push({
            path: fieldPath,
            message: `field "${fieldPath}" matches several old fields through its aliases (${matches.join(', ')})`,
          });
        } else if (match === undefined) {
          if (field.defaultValue() === undefined) {
            issues.push({
              path: fieldPath,
              message: `field "${fieldPath}" was added without a default (old data has no value for it)`,
            });
          }
        } else {
          issues.push(...this.walk(field.type, byName.get(match)!.type, fieldPath));
        }
      }
      return issues;
    } finally {
      this.seen.delete(key);
    }
  }

  private enums(reader: avro.types.EnumType, writer: avro.types.EnumType, path: string): SchemaIssue[] {
    if (!sameName(reader, writer)) return [changed(path, writer, reader, aliasHint(writer))];
    if ((reader as { default?: string }).default !== undefined) return [];
    const symbols = new Set(reader.symbols);
    return writer.symbols
      .filter((symbol) => !symbols.has(symbol))
      .map((symbol) => ({
        path,
        message: `${subject(path)} lost enum symbol "${symbol}" (old data may hold it; give the enum a default)`,
      }));
  }
}

/** Named types match by unqualified name, or by one of the reader's aliases (Avro spec). */
function sameName(reader: avro.Type, writer: avro.Type): boolean {
  const name = unqualified(writer.name);
  return unqualified(reader.name) === name || (reader.aliases ?? []).some((alias) => unqualified(alias) === name);
}

function aliasHint(writer: avro.Type): string {
  return ` (to rename a type, keep the old name "${unqualified(writer.name)}" in its aliases)`;
}

/** The problems a reader with `reader` has with data written with `writer`; empty when it reads it all. */
export function compatibilityIssues(reader: avro.Type, writer: avro.Type): SchemaIssue[] {
  return new Walker().walk(reader, writer, '');
}
