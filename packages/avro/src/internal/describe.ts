import type avro from 'avsc';
import { DateType, DecimalType, TimestampMicrosType, TimestampMillisType, UuidType } from './logical-types.js';

/** avsc union types, wrapped or not: both expose `types`. */
export function unionBranches(type: avro.Type): readonly avro.Type[] | undefined {
  return type.typeName.startsWith('union') ? (type as avro.types.UnwrappedUnionType).types : undefined;
}

/** The last part of a possibly qualified name: `com.acme.Order` -> `Order`. */
export function unqualified(name: string | undefined): string {
  return name === undefined ? '' : name.slice(name.lastIndexOf('.') + 1);
}

/** Short label of a type for messages: `long`, `timestamp-millis`, `decimal(10,2)`, `record Order`, `array<string>`. */
export function typeLabel(type: avro.Type): string {
  if (type instanceof DecimalType) return `decimal(${type.precision},${type.scale})`;
  if (type instanceof TimestampMillisType) return 'timestamp-millis';
  if (type instanceof TimestampMicrosType) return 'timestamp-micros';
  if (type instanceof DateType) return 'date';
  if (type instanceof UuidType) return 'uuid';
  const branches = unionBranches(type);
  if (branches !== undefined) return `union [${branches.map(typeLabel).join(', ')}]`;
  switch (type.typeName) {
    case 'abstract:long':
      return 'long';
    case 'record':
    case 'error':
    case 'enum':
      return `${type.typeName} ${unqualified(type.name)}`;
    case 'fixed':
      return `fixed ${unqualified(type.name)}(${(type as avro.types.FixedType).size})`;
    case 'array':
      return `array<${typeLabel((type as avro.types.ArrayType).itemsType)}>`;
    case 'map':
      return `map<${typeLabel((type as avro.types.MapType).valuesType as avro.Type)}>`;
    default:
      return type.typeName;
  }
}

/** What a serializer expects for a type, with the JS representation: `long (bigint)`. */
export function expectedValue(type: avro.Type): string {
  if (type instanceof DecimalType) return `${typeLabel(type)} (string)`;
  if (type instanceof TimestampMillisType) return 'timestamp-millis (Date)';
  if (type instanceof TimestampMicrosType) return 'timestamp-micros (bigint microseconds)';
  if (type instanceof DateType) return 'date (Date at UTC midnight)';
  if (type instanceof UuidType) return 'uuid (string)';
  const branches = unionBranches(type);
  if (branches !== undefined) return branches.map(expectedValue).join(' or ');
  const js: Record<string, string> = {
    'abstract:long': 'long (bigint)',
    int: 'int (number)',
    float: 'float (number)',
    double: 'double (number)',
    boolean: 'boolean',
    string: 'string',
    bytes: 'bytes (Buffer)',
    fixed: `${typeLabel(type)} (Buffer)`,
    enum: `${typeLabel(type)} (one of its symbols)`,
    null: 'null',
  };
  return js[type.typeName] ?? typeLabel(type);
}

/** A short, safe rendering of any value for an error message. */
export function preview(value: unknown): string {
  if (value === undefined) return 'undefined (missing)';
  if (typeof value === 'bigint') return `${value}n (bigint)`;
  if (typeof value === 'string') return `${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value)} (string)`;
  if (value instanceof Date) return `Date ${Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()}`;
  if (value instanceof Uint8Array) return `${value.constructor.name}(${value.byteLength})`;
  if (Array.isArray(value)) return `array(${value.length})`;
  if (value === null || typeof value !== 'object') return `${String(value)} (${value === null ? 'null' : typeof value})`;
  return `object {${Object.keys(value).slice(0, 5).join(', ')}}`;
}
