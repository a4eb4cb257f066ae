import type { Filter, OrderBy } from '@weir/parquet';
import { type Command, Option } from 'commander';
import { ExpressionError, UsageError } from '../errors.js';
import { isScalar, whereFilter } from '../expression/bind-expression.js';
import { integerOption, listOption } from '../internal/options.js';
import { type CliIo, type RowFormat, writeRows } from '../internal/output.js';
import { openTableAt } from '../internal/table-path.js';

/** Options of `weir query`, as commander parses them. */
export interface QueryOptions {
  columns?: string[];
  where?: string;
  orderBy?: string[];
  limit?: number;
  version?: number;
  format: RowFormat;
}

function parseOrderBy(keys: readonly string[], columnNames: ReadonlySet<string>, scalar: (name: string) => boolean): OrderBy[] {
  return keys.map((key) => {
    const [column = '', direction = 'asc', ...rest] = key.split(':');
    const dir = direction.toLowerCase();
    if (rest.length > 0 || (dir !== 'asc' && dir !== 'desc')) {
      throw new UsageError(`--order-by "${key}": expected column or column:asc or column:desc`);
    }
    if (!columnNames.has(column)) throw new UsageError(`unknown column "${column}" in --order-by; the table has columns ${[...columnNames].join(', ')}`);
    if (!scalar(column)) throw new UsageError(`--order-by column "${column}" is nested: only scalar columns sort`);
    return { column, direction: dir };
  });
}

/**
 * Runs `weir query`: reads rows of a table (a snapshot, optionally at `--version`), filtered,
 * projected, sorted and limited, and prints them.
 * @throws UsageError for a wrong path, an unknown column or a malformed expression
 */
export async function queryTable(dir: string, options: QueryOptions, io: CliIo): Promise<void> {
  const table = await openTableAt(dir, options.version);
  const schema = table.schema;
  const names = new Set(schema.map((c) => c.name));
  const columns = options.columns ?? schema.map((c) => c.name);
  for (const name of columns) {
    if (!names.has(name)) throw new UsageError(`unknown column "${name}" in --columns; the table has columns ${[...names].join(', ')}`);
  }
  let filter: Filter | undefined;
  if (options.where !== undefined) {
    try {
      filter = whereFilter(options.where, schema);
    } catch (error) {
      // Name the option: the position is in the --where text, not in the whole command line.
      if (error instanceof ExpressionError) throw new UsageError(`--where: ${error.message}`, { cause: error });
      throw error;
    }
  }
  const scalar = (name: string) => {
    const column = schema.find((c) => c.name === name);
    return column !== undefined && isScalar(column);
  };
  const orderBy = parseOrderBy(options.orderBy ?? [], names, scalar);
  const scan = table.scan({
    columns,
    ...(filter === undefined ? {} : { filter }),
    ...(orderBy.length === 0 ? {} : { orderBy }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
  });
  const outputColumns = columns.map((name) => ({ name, column: schema.find((c) => c.name === name)! }));
  await writeRows(io.stdout, outputColumns, scan, options.format);
}

/** Registers `weir query <table>`. */
export function registerQuery(program: Command, io: CliIo): void {
  program
    .command('query')
    .summary('print rows of a Weir table')
    .description(
      'Prints rows of the Weir table in <table> (a directory), filtered, projected, sorted and limited. ' +
        'Reads only committed files, and skips files and row groups whose statistics rule out the --where filter.',
    )
    .argument('<table>', 'the table directory')
    .option('-c, --columns <list>', 'comma-separated columns to print, in this order (default: all)', listOption)
    .option('-w, --where <expr>', `a filter, e.g. "count >= 10 and user in ('ada', 'bob')" (see README: expression language)`)
    .option('-o, --order-by <list>', 'comma-separated sort keys, column or column:desc (nulls last)', listOption)
    .option('-n, --limit <n>', 'print at most n rows', integerOption(0))
    .option('--version <v>', 'read the table as of this version (time travel)', integerOption(0))
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .addHelpText(
      'after',
      `
Examples:
  $ weir query ./tables/counts --where "window_start >= 2026-11-26T10:00:00Z and count > 2" --order-by count:desc --limit 10
  $ weir query ./tables/counts --columns user,count --format csv > counts.csv
  $ weir query ./tables/counts --version 3 --format json`,
    )
    .action((dir: string, options: QueryOptions) => queryTable(dir, options, io));
}
