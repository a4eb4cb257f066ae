import type { Column, DecimalColumn, ScalarColumn, TableSchema } from '@weir/avro';
import type { ComparisonOp, Filter, FilterValue } from '@weir/parquet';
import { ExpressionError } from '../errors.js';
import { type ColumnRef, type Expression, type Literal, parseExpression } from './parser.js';
import { parseTimestamp } from './timestamp.js';

type Scalar = ScalarColumn | DecimalColumn;

/** `isScalarColumn` of @weir/avro, which this module does not load (it pulls in avsc). */
export function isScalar(column: Column): column is Scalar {
  return typeof column.type === 'string';
}

// `not` is pushed down to the leaves, since @weir/parquet filters have no `not`. De Morgan and
// these inversions hold in SQL's three-valued logic: a null matches neither `x < 5` nor `x >= 5`.
const INVERSE: Record<ComparisonOp, ComparisonOp> = { '=': '!=', '!=': '=', '<': '>=', '>=': '<', '>': '<=', '<=': '>' };

// Filters are plain data (see @weir/parquet's Filter), built here without importing the
// package's runtime: the CLI loads @weir/parquet only for commands that read tables.
const and = (...filters: Filter[]): Filter => ({ op: 'and', filters });
const or = (...filters: Filter[]): Filter => ({ op: 'or', filters });

function describeLiteral(literal: Literal): string {
  switch (literal.kind) {
    case 'number':
    case 'timestamp':
      return literal.text;
    case 'string':
      return `'${literal.value}'`;
    case 'boolean':
      return String(literal.value);
    case 'null':
      return 'null';
  }
}

function lookup(schema: TableSchema, ref: ColumnRef): Scalar {
  const column: Column | undefined = schema.find((c) => c.name === ref.name);
  if (column === undefined) {
    const names = schema.map((c) => c.name).join(', ');
    throw new ExpressionError(`unknown column "${ref.name}" at position ${ref.position}; the table has columns ${names}`, ref.position, 'binding');
  }
  if (!isScalar(column)) {
    throw new ExpressionError(
      `column "${ref.name}" at position ${ref.position} is nested (${column.type.kind}): only scalar columns can be filtered`,
      ref.position,
      'binding',
    );
  }
  return column;
}

/**
 * Converts a literal to the JS value the column holds, so that the filter compares like with
 * like: an INT64 takes a bigint (a number would lose digits past 2^53), a timestamp a Date or
 * microseconds, a DECIMAL its exact text.
 */
function convert(column: Scalar, literal: Literal): FilterValue {
  const mismatch = (expected: string) =>
    new ExpressionError(
      `column "${column.name}" is ${column.type}: expected ${expected}, got ${describeLiteral(literal)} at position ${literal.position}`,
      literal.position,
      'binding',
    );
  switch (column.type) {
    case 'STRING':
    case 'UUID':
      if (literal.kind === 'string') return literal.value;
      throw mismatch("a 'string'");
    case 'BOOLEAN':
      if (literal.kind === 'boolean') return literal.value;
      throw mismatch('true or false');
    case 'INT32':
    case 'FLOAT':
    case 'DOUBLE':
      if (literal.kind === 'number') return Number(literal.text);
      throw mismatch('a number');
    case 'INT64':
      if (literal.kind === 'number' && /^-?\d+$/.test(literal.text)) return BigInt(literal.text);
      throw mismatch('an integer');
    case 'DECIMAL':
      if (literal.kind === 'number' && /^-?(\d+(\.\d*)?|\.\d+)$/.test(literal.text)) return literal.text.replace(/^(-?)\./, '$10.');
      throw mismatch('a number in plain notation');
    case 'TIMESTAMP_MILLIS':
    case 'DATE':
    case 'TIMESTAMP_MICROS': {
      const text = literal.kind === 'timestamp' ? literal.text : literal.kind === 'string' ? literal.value : undefined;
      const parsed = text === undefined ? undefined : parseTimestamp(text);
      if (parsed !== undefined) return column.type === 'TIMESTAMP_MICROS' ? parsed.micros : new Date(parsed.millis);
      throw mismatch('an ISO timestamp such as 2026-11-26T10:00:00Z');
    }
    case 'BYTES':
      throw new ExpressionError(
        `column "${column.name}" at position ${literal.position} is BYTES: --where cannot filter on bytes`,
        literal.position,
        'binding',
      );
  }
}

function bind(expression: Expression, schema: TableSchema, negated: boolean): Filter {
  switch (expression.kind) {
    case 'and':
    case 'or': {
      const operands = expression.operands.map((e) => bind(e, schema, negated));
      return (expression.kind === 'and') !== negated ? and(...operands) : or(...operands);
    }
    case 'not':
      return bind(expression.operand, schema, !negated);
    case 'isNull': {
      const column = lookup(schema, expression.column).name;
      return { op: expression.negated !== negated ? 'isNotNull' : 'isNull', column };
    }
    case 'in': {
      const column = lookup(schema, expression.column);
      const values = expression.values.map((literal) => {
        if (literal.kind === 'null') {
          throw new ExpressionError(`null in an "in" list at position ${literal.position} matches nothing: use "is null"`, literal.position, 'binding');
        }
        return convert(column, literal);
      });
      if (expression.negated === negated) return { op: 'in', column: column.name, values };
      return and(...values.map((value): Filter => ({ op: '!=', column: column.name, value })));
    }
    case 'compare': {
      const column = lookup(schema, expression.column);
      const op = negated ? INVERSE[expression.op] : expression.op;
      if (expression.value.kind === 'null') {
        // `x = null` never matches in SQL, which is never what anyone means: read it as `is null`.
        if (op === '=') return { op: 'isNull', column: column.name };
        if (op === '!=') return { op: 'isNotNull', column: column.name };
        throw new ExpressionError(
          `"${expression.op}" cannot compare with null at position ${expression.value.position}: use "is null" or "is not null"`,
          expression.value.position,
          'binding',
        );
      }
      return { op, column: column.name, value: convert(column, expression.value) };
    }
  }
}

/**
 * Checks an expression against a table schema and turns it into a `@weir/parquet` filter:
 * columns must exist and be scalar, literals must fit their column's type (and are converted to
 * it), `not` is pushed down to the comparisons.
 *
 * @throws ExpressionError (`kind: 'binding'`) naming the unknown column or the literal that does not fit, with its position
 * @example
 * ```ts
 * const filter = bindExpression(parseExpression("count > 2 and user != 'bob'"), table.schema);
 * // { op: 'and', filters: [{ op: '>', column: 'count', value: 2n }, { op: '!=', column: 'user', value: 'bob' }] }
 * ```
 */
export function bindExpression(expression: Expression, schema: TableSchema): Filter {
  return bind(expression, schema, false);
}

/**
 * Parses a `--where` expression and binds it to `schema`: {@link parseExpression} then {@link bindExpression}.
 * @throws ExpressionError when the text is malformed or does not fit the table
 */
export function whereFilter(text: string, schema: TableSchema): Filter {
  return bindExpression(parseExpression(text), schema);
}
