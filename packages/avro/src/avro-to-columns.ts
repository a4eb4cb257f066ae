import type avro from 'avsc';
import type { AvroSchema } from './avro-schema.js';
import type { Column, ScalarColumn } from './columns.js';
import { UnsupportedSchemaError } from './errors.js';
import { typeLabel, unionBranches } from './internal/describe.js';
import { DateType, DecimalType, TimestampMicrosType, TimestampMillisType, UuidType } from './internal/logical-types.js';
import { parseSchema } from './internal/parse.js';

const SCALARS: Record<string, ScalarColumn['type']> = {
  'abstract:long': 'INT64',
  int: 'INT32',
  float: 'FLOAT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  string: 'STRING',
  bytes: 'BYTES',
  // An enum's value is its symbol; Parquet writers store enums as strings too.
  enum: 'STRING',
  fixed: 'BYTES',
};

function where(path: string): string {
  return `field "${path}"`;
}

class Mapper {
  // Records being mapped, outermost first: meeting one again means the schema is recursive.
  private readonly open: string[] = [];

  column(name: string, type: avro.Type, path: string, doc: string | undefined): Column {
    let nullable = false;
    let inner = type;
    const branches = unionBranches(type);
    if (branches !== undefined) {
      const values = branches.filter((branch) => branch.typeName !== 'null');
      if (values.length !== 1 || branches.length - values.length !== 1) {
        throw new UnsupportedSchemaError(
          `Avro ${where(path)} is a ${typeLabel(type)}: only a union of null and one type maps to a column`,
        );
      }
      nullable = true;
      inner = values[0]!;
    }
    const base = doc === undefined ? { name, nullable } : { name, nullable, doc };
    if (inner instanceof DecimalType) {
      return { ...base, type: 'DECIMAL', precision: inner.precision, scale: inner.scale };
    }
    if (inner instanceof TimestampMillisType) return { ...base, type: 'TIMESTAMP_MILLIS' };
    if (inner instanceof TimestampMicrosType) return { ...base, type: 'TIMESTAMP_MICROS' };
    if (inner instanceof DateType) return { ...base, type: 'DATE' };
    if (inner instanceof UuidType) return { ...base, type: 'UUID' };
    const scalar = SCALARS[inner.typeName];
    if (scalar !== undefined) return { ...base, type: scalar };
    switch (inner.typeName) {
      case 'record':
      case 'error':
        return { ...base, type: { kind: 'record', fields: this.fields(inner as avro.types.RecordType, path) } };
      case 'array': {
        const items = (inner as avro.types.ArrayType).itemsType;
        return { ...base, type: { kind: 'list', element: this.column('element', items, `${path}[]`, undefined) } };
      }
      case 'map': {
        const values = (inner as avro.types.MapType).valuesType as avro.Type;
        const key: ScalarColumn = { name: 'key', nullable: false, type: 'STRING' };
        return { ...base, type: { kind: 'map', key, value: this.column('value', values, `${path}{}`, undefined) } };
      }
      default:
        throw new UnsupportedSchemaError(`Avro ${where(path)} has type ${typeLabel(inner)}, which maps to no column`);
    }
  }

  fields(record: avro.types.RecordType, path: string): Column[] {
    const name = record.name ?? '';
    if (this.open.includes(name)) {
      throw new UnsupportedSchemaError(
        `Avro ${where(path)} refers back to ${typeLabel(record)}: a recursive record maps to no columns`,
      );
    }
    this.open.push(name);
    try {
      return record.fields.map((field) => {
        const fieldPath = path === '' ? field.name : `${path}.${field.name}`;
        return this.column(field.name, field.type, fieldPath, (field as { doc?: string }).doc);
      });
    } finally {
      this.open.pop();
    }
  }
}

/**
 * Maps an Avro record schema to table columns, one per field, for a Parquet sink or a table.
 *
 * | Avro                                           | column                                   |
 * |------------------------------------------------|------------------------------------------|
 * | `boolean`, `int`, `long`, `float`, `double`    | BOOLEAN, INT32, INT64, FLOAT, DOUBLE     |
 * | `string`, `enum`                               | STRING                                   |
 * | `bytes`, `fixed`                               | BYTES                                    |
 * | `timestamp-millis`, `timestamp-micros` (long)  | TIMESTAMP_MILLIS, TIMESTAMP_MICROS       |
 * | `date` (int)                                   | DATE                                     |
 * | `decimal` (bytes or fixed)                     | DECIMAL with its precision and scale     |
 * | `uuid` (string or fixed 16)                    | UUID                                     |
 * | record                                         | `{ kind: 'record', fields }`             |
 * | array                                          | `{ kind: 'list', element }`              |
 * | map                                            | `{ kind: 'map', key: STRING, value }`    |
 * | `["null", T]` or `[T, "null"]`                 | the column of T, `nullable: true`        |
 *
 * Every other column is `nullable: false`. Other logical types (`time-millis`,
 * `local-timestamp-millis`, ...) are read as their underlying type, as the Avro spec asks of
 * logical types a reader does not know. Field docs become column docs.
 *
 * @param schema an Avro record schema
 * @returns the columns of the record's fields, in order
 * @throws UnsupportedSchemaError naming the field, for a union other than null-and-one-type, a
 *   `null` field, a recursive record, or a top-level schema that is not a record
 * @throws InvalidSchemaError when the schema does not parse
 * @example
 * ```ts
 * avroToColumns({ type: 'record', name: 'Count', fields: [
 *   { name: 'key', type: 'string' },
 *   { name: 'count', type: 'long' },
 *   { name: 'note', type: ['null', 'string'], default: null },
 * ] });
 * // [{ name: 'key', nullable: false, type: 'STRING' }, { name: 'count', nullable: false, type: 'INT64' },
 * //  { name: 'note', nullable: true, type: 'STRING' }]
 * ```
 */
export function avroToColumns(schema: AvroSchema): Column[] {
  const type = parseSchema(schema);
  if (type.typeName !== 'record' && type.typeName !== 'error') {
    throw new UnsupportedSchemaError(
      `An Avro schema maps to table columns only when it is a record, got ${typeLabel(type)}`,
    );
  }
  return new Mapper().fields(type as avro.types.RecordType, '');
}
