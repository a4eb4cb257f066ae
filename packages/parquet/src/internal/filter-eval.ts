import { isScalarColumn, type TableSchema } from '@weir/avro';
import { InvalidQueryError } from '../errors.js';
import type { ComparisonOp, Filter } from '../filter.js';
import { coerceLiteral, compareValues, type Scalar } from './values.js';

/** A filter checked against a schema, literals converted to the columns' JS types. */
export type BoundFilter =
  | { op: ComparisonOp; column: Scalar; value: unknown }
  | { op: 'in'; column: Scalar; values: unknown[] }
  | { op: 'isNull' | 'isNotNull'; column: Scalar }
  | { op: 'and' | 'or'; filters: BoundFilter[] };

/** What statistics say about a column of a file or row group (values in the column's JS type). */
export interface ColumnBounds {
  min?: unknown;
  max?: unknown;
  /** Unknown when the statistics do not say. */
  nullCount?: number;
  rows: number;
}

function scalarColumn(schema: TableSchema, name: string): Scalar {
  const column = schema.find((c) => c.name === name);
  if (column === undefined) throw new InvalidQueryError(`Filter names column "${name}", which the table does not have`);
  if (!isScalarColumn(column)) throw new InvalidQueryError(`Filter names column "${name}", which is nested: only scalar columns filter`);
  return column;
}

function literal(column: Scalar, value: unknown): unknown {
  const coerced = coerceLiteral(column, value);
  if (coerced === undefined) {
    throw new InvalidQueryError(`Filter compares column "${column.name}" (${column.type}) with ${typeof value} ${String(value)}`);
  }
  return coerced;
}

/**
 * Checks a filter against the table schema and converts its literals.
 * @throws InvalidQueryError naming an unknown or nested column, or a literal of the wrong type
 */
export function bindFilter(filter: Filter, schema: TableSchema): BoundFilter {
  switch (filter.op) {
    case 'and':
    case 'or':
      return { op: filter.op, filters: filter.filters.map((f) => bindFilter(f, schema)) };
    case 'in': {
      const column = scalarColumn(schema, filter.column);
      return { op: 'in', column, values: filter.values.map((v) => literal(column, v)) };
    }
    case 'isNull':
    case 'isNotNull':
      return { op: filter.op, column: scalarColumn(schema, filter.column) };
    case '=':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const column = scalarColumn(schema, filter.column);
      return { op: filter.op, column, value: literal(column, filter.value) };
    }
    default:
      throw new InvalidQueryError(`Unknown filter operator ${JSON.stringify((filter as { op: unknown }).op)}`);
  }
}

/** The top-level columns a filter reads. */
export function filterColumns(filter: BoundFilter, out: Set<string> = new Set()): Set<string> {
  if ('filters' in filter) {
    for (const f of filter.filters) filterColumns(f, out);
  } else {
    out.add(filter.column.name);
  }
  return out;
}

function compareOp(op: ComparisonOp, order: number): boolean {
  switch (op) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}

function isNaNValue(value: unknown): boolean {
  return typeof value === 'number' && Number.isNaN(value);
}

/** True when `row` matches (SQL semantics: null matches no comparison). */
export function matchRow(filter: BoundFilter, row: Record<string, unknown>): boolean {
  switch (filter.op) {
    case 'and':
      return filter.filters.every((f) => matchRow(f, row));
    case 'or':
      return filter.filters.some((f) => matchRow(f, row));
    case 'isNull':
      return row[filter.column.name] === null || row[filter.column.name] === undefined;
    case 'isNotNull':
      return row[filter.column.name] !== null && row[filter.column.name] !== undefined;
    case 'in': {
      const value = row[filter.column.name];
      if (value === null || value === undefined || isNaNValue(value)) return false;
      return filter.values.some((v) => compareValues(filter.column, value, v) === 0);
    }
    default: {
      const value = row[filter.column.name];
      if (value === null || value === undefined || isNaNValue(value)) return false;
      return compareOp(filter.op, compareValues(filter.column, value, filter.value));
    }
  }
}

/**
 * True when statistics prove that no row can match, so the file or row group can be skipped.
 * Conservative: missing statistics never skip. `bounds(name)` gives a column's statistics.
 */
export function canSkip(filter: BoundFilter, bounds: (column: string) => ColumnBounds | undefined): boolean {
  switch (filter.op) {
    case 'and':
      return filter.filters.some((f) => canSkip(f, bounds));
    case 'or':
      return filter.filters.length === 0 || filter.filters.every((f) => canSkip(f, bounds));
    default:
      break;
  }
  const b = bounds(filter.column.name);
  if (b === undefined) return false;
  const allNull = b.nullCount !== undefined && b.nullCount >= b.rows;
  if (filter.op === 'isNull') return b.nullCount === 0;
  if (filter.op === 'isNotNull') return allNull;
  if (allNull) return true;
  if (b.min === undefined || b.max === undefined) return false;
  // Float bounds skip NaN (Parquet's rule), and NaN matches nothing: bounds stay valid.
  const { column, min, max } = { column: filter.column, min: b.min, max: b.max };
  const belowMin = (v: unknown) => compareValues(column, v, min) < 0;
  const aboveMax = (v: unknown) => compareValues(column, v, max) > 0;
  switch (filter.op) {
    case 'in':
      return filter.values.every((v) => belowMin(v) || aboveMax(v));
    case '=':
      return belowMin(filter.value) || aboveMax(filter.value);
    case '!=':
      return compareValues(column, min, max) === 0 && compareValues(column, min, filter.value) === 0;
    case '<':
      return compareValues(column, min, filter.value) >= 0;
    case '<=':
      return compareValues(column, min, filter.value) > 0;
    case '>':
      return compareValues(column, max, filter.value) <= 0;
    case '>=':
      return compareValues(column, max, filter.value) < 0;
  }
}
