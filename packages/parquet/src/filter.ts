/** A value a filter compares a column with: of the column's JS type (or an obvious alternative). */
export type FilterValue = string | number | bigint | boolean | Date | Uint8Array;

/** The comparison operators, with SQL meaning: a null value matches none of them. */
export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/**
 * A scan filter: a small typed AST, plain data (it can be built by hand, from JSON, or with
 * {@link col}, {@link and} and {@link or}). Columns are top-level scalar columns. Semantics are
 * SQL's: comparisons and `in` never match null; `isNull` does.
 *
 * Literals are converted to the column's type: an INT64 or TIMESTAMP_MICROS column takes a
 * bigint, an integer number or a digit string (a TIMESTAMP_MICROS also a Date); a
 * TIMESTAMP_MILLIS or DATE column a Date, an ISO string or epoch milliseconds; a DECIMAL a
 * string or a number; a UUID compares case-insensitively.
 */
export type Filter =
  | { op: ComparisonOp; column: string; value: FilterValue }
  | { op: 'in'; column: string; values: readonly FilterValue[] }
  | { op: 'isNull' | 'isNotNull'; column: string }
  | { op: 'and' | 'or'; filters: readonly Filter[] };

/** Builds filters on one column; see {@link col}. */
export interface ColumnFilterBuilder {
  eq(value: FilterValue): Filter;
  ne(value: FilterValue): Filter;
  lt(value: FilterValue): Filter;
  lte(value: FilterValue): Filter;
  gt(value: FilterValue): Filter;
  gte(value: FilterValue): Filter;
  /** Matches values equal to one of `values`. */
  in(values: readonly FilterValue[]): Filter;
  /** Matches rows whose value lies in [`low`, `high`] (both inclusive). */
  between(low: FilterValue, high: FilterValue): Filter;
  isNull(): Filter;
  isNotNull(): Filter;
}

/**
 * Starts a filter on a column.
 *
 * @example
 * ```ts
 * const filter = and(
 *   col('window_start').gte(new Date('2026-11-26T00:00:00Z')),
 *   col('user').in(['ada', 'grace']),
 *   or(col('count').gt(10n), col('note').isNull()),
 * );
 * for await (const row of table.scan({ filter })) console.log(row);
 * ```
 */
export function col(column: string): ColumnFilterBuilder {
  const compare = (op: ComparisonOp) => (value: FilterValue) => ({ op, column, value });
  return {
    eq: compare('='),
    ne: compare('!='),
    lt: compare('<'),
    lte: compare('<='),
    gt: compare('>'),
    gte: compare('>='),
    in: (values) => ({ op: 'in', column, values }),
    between: (low, high) => and({ op: '>=', column, value: low }, { op: '<=', column, value: high }),
    isNull: () => ({ op: 'isNull', column }),
    isNotNull: () => ({ op: 'isNotNull', column }),
  };
}

/**
 * Matches rows that match every filter (all rows when none).
 * @example
 * ```ts
 * and(col('user').eq('ada'), col('count').gte(10n));
 * ```
 */
export function and(...filters: Filter[]): Filter {
  return { op: 'and', filters };
}

/**
 * Matches rows that match at least one filter (no row when none).
 * @example
 * ```ts
 * or(col('region').eq('eu'), col('region').isNull());
 * ```
 */
export function or(...filters: Filter[]): Filter {
  return { op: 'or', filters };
}
