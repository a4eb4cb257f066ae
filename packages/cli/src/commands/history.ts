import type { SourceOffsets } from '@weir/parquet';
import { type Command, Option } from 'commander';
import { type CliIo, type RowFormat, writeRows } from '../internal/output.js';
import { openTableAt } from '../internal/table-path.js';

/** Options of `weir history`. */
export interface HistoryOptions {
  format: RowFormat;
}

/** Source offsets as one line: `clicks-outbox:0 [100, 250), clicks-outbox:1 [0, 40)`. */
export function sourcesText(sources: SourceOffsets): string {
  return Object.entries(sources)
    .map(([key, range]) => `${key} [${range.from}, ${range.to})`)
    .join(', ');
}

/**
 * Runs `weir history`: one line per commit of the table, oldest first: version, time,
 * operation, files and rows added and removed, and the source offsets the commit covers.
 * @throws UsageError when `dir` holds no table
 */
export async function tableHistory(dir: string, options: HistoryOptions, io: CliIo): Promise<void> {
  const table = await openTableAt(dir);
  const rows = table.history().map((entry) => ({
    version: entry.version,
    time: entry.timestamp,
    operation: entry.operation,
    files_added: entry.added.length,
    files_removed: entry.removed.length,
    rows_added: entry.rowsAdded,
    rows_removed: entry.rowsRemoved,
    // JSON keeps the structure; a table line needs it flat.
    sources: options.format === 'json' ? entry.sources : sourcesText(entry.sources),
  }));
  const names = ['version', 'time', 'operation', 'files_added', 'files_removed', 'rows_added', 'rows_removed', 'sources'];
  await writeRows(io.stdout, names.map((name) => ({ name })), rows, options.format);
}

/** Registers `weir history <table>`. */
export function registerHistory(program: Command, io: CliIo): void {
  program
    .command('history')
    .summary("list a table's commits")
    .description(
      "Lists the commits of the Weir table in <table>, oldest first: version, time, operation (write, compact, schema), " +
        'files and rows added and removed, and the source offsets (topic:partition [from, to)) each commit covers.',
    )
    .argument('<table>', 'the table directory')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .action((dir: string, options: HistoryOptions) => tableHistory(dir, options, io));
}
