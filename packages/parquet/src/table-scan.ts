import { isScalarColumn, type TableSchema } from '@weir/avro';
import { InvalidQueryError } from './errors.js';
import type { Filter } from './filter.js';
import { bindFilter } from './internal/filter-eval.js';
import { emptyScanStats, type ScanPlan, type ScanStats, scanFiles } from './internal/scan-files.js';
import { compareValues, type Scalar } from './internal/values.js';

export type { ScanStats } from './internal/scan-files.js';

/** A row of a table: column name to the column's JS value (`null` for none). */
export type TableRow = Record<string, unknown>;

/** One sort key of {@link ScanOptions.orderBy}. */
export interface OrderBy {
  column: string;
  /** Default: `'asc'`. Nulls sort last either way (DuckDB's default). */
  direction?: 'asc' | 'desc';
}

/** Options of {@link Table.scan}. */
export interface ScanOptions {
  /** Top-level columns to return, in schema order. Default: all. Only these and the filter's columns are decoded. */
  columns?: readonly string[];
  /** Rows to return. Default: all. Files and row groups whose statistics rule it out are skipped. */
  filter?: Filter;
  /** Sort keys, by scalar columns. Default: file order (commit order, then row order within a file). Sorting holds every matching row in memory. */
  orderBy?: string | OrderBy | readonly (string | OrderBy)[];
  /** At most this many rows. Default: no limit. Without `orderBy`, reading stops once reached. */
  limit?: number;
}

function sortKeys(schema: TableSchema, orderBy: ScanOptions['orderBy']): { column: Scalar; sign: number }[] {
  if (orderBy === undefined) return [];
  const keys = typeof orderBy === 'string' || !Array.isArray(orderBy) ? [orderBy as string | OrderBy] : (orderBy as (string | OrderBy)[]);
  return keys.map((key) => {
    const { column: name, direction = 'asc' } = typeof key === 'string' ? { column: key } : key;
    const column = schema.find((c) => c.name === name);
    if (column === undefined || !isScalarColumn(column)) {
      throw new InvalidQueryError(`orderBy names column "${name}", which the table ${column === undefined ? 'does not have' : 'has nested'}`);
    }
    return { column, sign: direction === 'desc' ? -1 : 1 };
  });
}

/**
 * A running scan of a table snapshot: an async iterable of rows with live {@link ScanStats}.
 * Iterate it once. Built by {@link Table.scan}.
 *
 * @example
 * ```ts
 * const scan = table.scan({ filter: col('key').eq('k07') });
 * const rows = await scan.toArray();
 * console.log(rows.length, scan.stats.rowGroupsSkipped);
 * ```
 */
export class TableScan<R extends TableRow = TableRow> implements AsyncIterable<R> {
  /** Counters of files and row groups read and skipped; final once iteration ends. */
  readonly stats: ScanStats = emptyScanStats();
  private readonly plan: ScanPlan;
  private readonly keys: { column: Scalar; sign: number }[];
  private readonly limit: number;
  private readonly wanted: Set<string>;

  /** @internal Built by {@link Table.scan}. */
  constructor(plan: Omit<ScanPlan, 'columns' | 'filter'>, options: ScanOptions) {
    const { columns, filter, orderBy, limit = Number.POSITIVE_INFINITY } = options;
    for (const name of columns ?? []) {
      if (!plan.schema.some((c) => c.name === name)) throw new InvalidQueryError(`Scan asks for column "${name}", which the table does not have`);
    }
    if (!(limit >= 0)) throw new InvalidQueryError(`Scan limit must be >= 0, got ${limit}`);
    this.keys = sortKeys(plan.schema, orderBy);
    this.limit = limit;
    const wanted = columns ?? plan.schema.map((c) => c.name);
    // Sort keys are read like returned columns and dropped afterwards.
    const read = [...new Set([...wanted, ...this.keys.map((k) => k.column.name)])];
    this.plan = {
      ...plan,
      columns: read,
      ...(filter === undefined ? {} : { filter: bindFilter(filter, plan.schema) }),
    };
    this.wanted = new Set(wanted);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<R> {
    if (this.limit === 0) return;
    const rows = scanFiles(this.plan, this.stats);
    if (this.keys.length === 0) {
      for await (const row of rows) {
        this.stats.rowsReturned++;
        yield row as R;
        if (this.stats.rowsReturned >= this.limit) return;
      }
      return;
    }
    const all: TableRow[] = [];
    for await (const row of rows) all.push(row);
    all.sort((a, b) => this.compare(a, b));
    for (const row of all.slice(0, this.limit)) {
      for (const name of Object.keys(row)) if (!this.wanted.has(name)) delete row[name];
      this.stats.rowsReturned++;
      yield row as R;
    }
  }

  private compare(a: TableRow, b: TableRow): number {
    for (const { column, sign } of this.keys) {
      const x = a[column.name];
      const y = b[column.name];
      const xNull = x === null || x === undefined;
      const yNull = y === null || y === undefined;
      if (xNull || yNull) {
        if (xNull !== yNull) return xNull ? 1 : -1;
        continue;
      }
      const order = compareValues(column, x, y);
      if (order !== 0) return order * sign;
    }
    return 0;
  }

  /** Reads every row into an array. */
  async toArray(): Promise<R[]> {
    const out: R[] = [];
    for await (const row of this) out.push(row);
    return out;
  }
}
