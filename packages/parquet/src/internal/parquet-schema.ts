import type { Column, TableSchema } from '@weir/avro';
// hyparquet-writer's own hyparquet version defines the SchemaElement it accepts.
import type { SchemaElement } from 'hyparquet-writer';
import { decimalPhysical } from './decimal.js';

function repetition(column: Column): 'OPTIONAL' | 'REQUIRED' {
  return column.nullable ? 'OPTIONAL' : 'REQUIRED';
}

// Both the legacy converted type and the logical type are written: old readers (and hyparquet's
// value conversion) go by the first, new ones by the second.
function scalarElement(column: Column): SchemaElement {
  const { name } = column;
  const repetition_type = repetition(column);
  switch (column.type) {
    case 'STRING':
      return { name, repetition_type, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case 'BOOLEAN':
    case 'INT32':
    case 'INT64':
    case 'FLOAT':
    case 'DOUBLE':
      return { name, repetition_type, type: column.type };
    case 'BYTES':
      return { name, repetition_type, type: 'BYTE_ARRAY' };
    case 'TIMESTAMP_MILLIS':
    case 'TIMESTAMP_MICROS': {
      const unit = column.type === 'TIMESTAMP_MILLIS' ? 'MILLIS' : 'MICROS';
      return {
        name,
        repetition_type,
        type: 'INT64',
        converted_type: column.type,
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit },
      };
    }
    case 'DATE':
      return { name, repetition_type, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } };
    case 'UUID':
      return { name, repetition_type, type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, logical_type: { type: 'UUID' } };
    case 'DECIMAL': {
      const { precision, scale } = column;
      const physical = decimalPhysical(precision);
      return {
        name,
        repetition_type,
        type: physical.type,
        ...(physical.length === undefined ? {} : { type_length: physical.length }),
        converted_type: 'DECIMAL',
        precision,
        scale,
        logical_type: { type: 'DECIMAL', precision, scale },
      };
    }
    default:
      throw new Error(`not a scalar column: ${column.name}`);
  }
}

function elements(column: Column, out: SchemaElement[]): void {
  const { type } = column;
  if (typeof type === 'string') {
    out.push(scalarElement(column));
    return;
  }
  const repetition_type = repetition(column);
  switch (type.kind) {
    case 'record':
      out.push({ name: column.name, repetition_type, num_children: type.fields.length });
      for (const field of type.fields) elements(field, out);
      return;
    case 'list':
      // Spec: the three-level LIST: <name> (LIST) > repeated group list > element.
      out.push({ name: column.name, repetition_type, converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 });
      out.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
      elements({ ...type.element, name: 'element' }, out);
      return;
    case 'map':
      // Spec: <name> (MAP) > repeated group key_value > required key, value.
      out.push({ name: column.name, repetition_type, converted_type: 'MAP', logical_type: { type: 'MAP' }, num_children: 1 });
      out.push({ name: 'key_value', repetition_type: 'REPEATED', num_children: 2 });
      elements({ ...type.key, name: 'key', nullable: false }, out);
      elements({ ...type.value, name: 'value' }, out);
      return;
  }
}

/**
 * The Parquet schema of a table schema, as the flat, depth-first list of schema elements that
 * the Parquet footer stores (root first).
 */
export function toParquetSchema(schema: TableSchema): SchemaElement[] {
  const out: SchemaElement[] = [{ name: 'root', num_children: schema.length }];
  for (const column of schema) elements(column, out);
  return out;
}
