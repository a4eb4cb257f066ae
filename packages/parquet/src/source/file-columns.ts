import type { Column, ScalarColumn, TableSchema } from '@weir/avro';
import { type FileMetaData, parquetSchema, type SchemaElement } from 'hyparquet';
import { WEIR_METADATA_KEYS } from '../write-parquet-file.js';

/** hyparquet's schema tree node (not exported by name from its index). */
type SchemaTree = ReturnType<typeof parquetSchema>;

/** The columns of a Parquet file in the column model, and the top-level ones it cannot map. */
export interface FileColumns {
  columns: TableSchema;
  /** Top-level column name to the Parquet type Weir cannot read as a column-model value. */
  unsupported: Record<string, string>;
}

class Unsupported extends Error {}

/**
 * The columns of a file: the `weir.schema` footer entry when Weir wrote it (exact: it names
 * UUIDs, decimals and nesting as the table declared them), otherwise derived from the Parquet
 * schema (files of DuckDB, Spark, pyarrow...). Values of these columns decode with
 * `decodeValue` exactly as a table scan decodes them.
 */
export function fileColumns(metadata: FileMetaData): FileColumns {
  const weir = metadata.key_value_metadata?.find((kv) => kv.key === WEIR_METADATA_KEYS.schema)?.value;
  if (weir !== undefined) {
    try {
      const columns = JSON.parse(weir) as TableSchema;
      if (Array.isArray(columns)) return { columns, unsupported: {} };
    } catch {
      // A damaged entry: the Parquet schema still describes the file.
    }
  }
  const columns: Column[] = [];
  const unsupported: Record<string, string> = {};
  for (const child of parquetSchema(metadata).children) {
    try {
      columns.push(toColumn(child));
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      unsupported[child.element.name] = error.message;
    }
  }
  return { columns, unsupported };
}

function describe(element: SchemaElement): string {
  const logical = element.logical_type;
  const annotation =
    logical === undefined
      ? element.converted_type
      : logical.type === 'TIMESTAMP' || logical.type === 'TIME'
        ? `${logical.type}(${logical.unit})`
        : logical.type === 'INTEGER'
          ? `INTEGER(${logical.bitWidth}, ${logical.isSigned ? 'signed' : 'unsigned'})`
          : logical.type;
  return annotation === undefined ? `${element.type}` : `${element.type} ${annotation}`;
}

function toColumn(node: SchemaTree): Column {
  const { element } = node;
  const name = element.name;
  if (element.repetition_type === 'REPEATED') throw new Unsupported(`repeated field without a LIST annotation`);
  const nullable = element.repetition_type !== 'REQUIRED';
  if (node.children.length === 0) return { ...scalar(element), name, nullable } as Column;
  const converted = element.converted_type;
  const logical = element.logical_type?.type;
  if (converted === 'LIST' || logical === 'LIST') {
    const repeated = node.children[0];
    if (node.children.length !== 1 || repeated === undefined || repeated.element.repetition_type !== 'REPEATED') {
      throw new Unsupported('LIST of an unusual shape');
    }
    // Three-level lists (repeated group > element) and the legacy two-level form hyparquet also
    // assembles into arrays; the element column is named `element` whatever the file calls it.
    const inner = repeated.children.length === 1 ? repeated.children[0]! : { ...repeated, element: { ...repeated.element, repetition_type: 'REQUIRED' as const } };
    return { name, nullable, type: { kind: 'list', element: { ...toColumn(inner), name: 'element' } } };
  }
  if (converted === 'MAP' || converted === 'MAP_KEY_VALUE' || logical === 'MAP') {
    const entries = node.children[0];
    const key = entries?.children.find((c) => c.element.name === 'key');
    const value = entries?.children.find((c) => c.element.name === 'value');
    if (node.children.length !== 1 || entries === undefined || key === undefined || value === undefined) throw new Unsupported('MAP of an unusual shape');
    const keyColumn = toColumn(key);
    if (typeof keyColumn.type !== 'string' || keyColumn.type === 'DECIMAL') throw new Unsupported('MAP with a nested or decimal key');
    return {
      name,
      nullable,
      type: { kind: 'map', key: { ...(keyColumn as ScalarColumn), name: 'key', nullable: false }, value: { ...toColumn(value), name: 'value' } },
    };
  }
  return { name, nullable, type: { kind: 'record', fields: node.children.map(toColumn) } };
}

// The column-model type of a leaf, as hyparquet decodes it with Weir's read options
// (read-parquet.ts: TIMESTAMP_MICROS as bigint, decimals raw, byte arrays without a string
// annotation as bytes). Types with no exact column-model value are refused, not approximated.
type ScalarType = { type: ScalarColumn['type'] } | { type: 'DECIMAL'; precision: number; scale: number };

function scalar(element: SchemaElement): ScalarType {
  const logical = element.logical_type;
  const converted = element.converted_type;
  const decimal = logical?.type === 'DECIMAL' ? logical : converted === 'DECIMAL' ? { precision: element.precision ?? 0, scale: element.scale ?? 0 } : undefined;
  if (decimal !== undefined) {
    if (!(decimal.precision >= 1)) throw new Unsupported(`${describe(element)} without a precision`);
    return { type: 'DECIMAL', precision: decimal.precision, scale: decimal.scale };
  }
  if (logical?.type === 'TIMESTAMP' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS') {
    const unit = logical?.type === 'TIMESTAMP' ? logical.unit : converted === 'TIMESTAMP_MILLIS' ? 'MILLIS' : 'MICROS';
    // Local (not UTC-adjusted) timestamps read as if UTC: the same wall-clock numbers.
    if (unit === 'MILLIS') return { type: 'TIMESTAMP_MILLIS' };
    if (unit === 'MICROS') return { type: 'TIMESTAMP_MICROS' };
    throw new Unsupported(describe(element));
  }
  if (logical?.type === 'DATE' || converted === 'DATE') return { type: 'DATE' };
  if (logical?.type === 'UUID') return { type: 'UUID' };
  if (logical?.type === 'STRING' || converted === 'UTF8') return { type: 'STRING' };
  if (logical?.type === 'FLOAT16') return { type: 'FLOAT' };
  const integer = logical?.type === 'INTEGER' ? logical : undefined;
  const unsigned = integer !== undefined ? !integer.isSigned : converted?.startsWith('UINT_') === true;
  if (logical !== undefined && integer === undefined) throw new Unsupported(describe(element));
  if (logical === undefined && converted !== undefined && !/^U?INT_(8|16|32|64)$/.test(converted)) throw new Unsupported(describe(element));
  switch (element.type) {
    case 'BOOLEAN':
      return { type: 'BOOLEAN' };
    case 'INT32':
      // hyparquet reads UINT_32 as a number up to 2^32 - 1: it fits an INT64, not an INT32.
      return { type: unsigned && (integer?.bitWidth ?? Number(converted?.slice(5))) === 32 ? 'INT64' : 'INT32' };
    case 'INT64':
      if (unsigned) throw new Unsupported(describe(element));
      return { type: 'INT64' };
    case 'FLOAT':
      return { type: 'FLOAT' };
    case 'DOUBLE':
      return { type: 'DOUBLE' };
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY':
      return { type: 'BYTES' };
    default:
      throw new Unsupported(describe(element));
  }
}
