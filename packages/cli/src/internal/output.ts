import { once } from 'node:events';
import type { Column } from '@weir/avro';
import { type Printable, printable, toCsv, toJson, toText } from './format-value.js';

/** Where a command writes: its standard output and standard error. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** The output formats of commands that print rows. */
export type RowFormat = 'table' | 'json' | 'csv';

/** A column of printed rows: its key in the row, and the table column that typed it, if any. */
export interface OutputColumn {
  readonly name: string;
  /** The table column: decides how bigints and dates print. */
  readonly column?: Column;
}

/** Writes text, waiting for the stream to drain when its buffer is full (a large query into a slow pipe). */
export async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

const NUMERIC = new Set(['INT32', 'INT64', 'FLOAT', 'DOUBLE', 'DECIMAL']);

function isNumeric(column: OutputColumn, values: readonly Printable[]): boolean {
  const type = column.column?.type;
  if (typeof type === 'string') return NUMERIC.has(type);
  if (column.column !== undefined) return false;
  return values.length > 0 && values.every((v) => v === null || typeof v === 'number' || typeof v === 'bigint');
}

/**
 * Prints rows in `format`:
 * - `table`: aligned columns under a header (numbers right-aligned, `NULL` for null), then `(n rows)`; holds the rows in memory to measure them;
 * - `json`: one JSON array of objects, one row per line, keys in column order;
 * - `csv`: a header line, then one line per row (RFC 4180 quoting).
 *
 * `json` and `csv` stream: rows are written as they arrive.
 *
 * @returns the number of rows written
 */
export async function writeRows(
  stream: NodeJS.WritableStream,
  columns: readonly OutputColumn[],
  rows: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>,
  format: RowFormat,
): Promise<number> {
  const cells = (row: Record<string, unknown>) => columns.map((c) => printable(row[c.name], c.column));
  let count = 0;
  if (format === 'csv') {
    await write(stream, `${columns.map((c) => toCsv(c.name)).join(',')}\n`);
    for await (const row of rows) {
      await write(stream, `${cells(row).map(toCsv).join(',')}\n`);
      count++;
    }
    return count;
  }
  if (format === 'json') {
    await write(stream, '[');
    for await (const row of rows) {
      const values = cells(row);
      const object = columns.map((c, i) => `${JSON.stringify(c.name)}:${toJson(values[i]!)}`).join(',');
      await write(stream, `${count === 0 ? '\n' : ',\n'}{${object}}`);
      count++;
    }
    await write(stream, count === 0 ? ']\n' : '\n]\n');
    return count;
  }
  const table: Printable[][] = [];
  for await (const row of rows) table.push(cells(row));
  await write(stream, renderTable(columns, table));
  return table.length;
}

/** Aligned text columns with a header and a row count (`psql`'s layout). */
export function renderTable(columns: readonly OutputColumn[], rows: readonly Printable[][]): string {
  const text = rows.map((row) => row.map(toText));
  const right = columns.map((c, i) => isNumeric(c, rows.map((r) => r[i]!)));
  const widths = columns.map((c, i) => Math.max(c.name.length, ...text.map((r) => r[i]!.length)));
  const line = (values: readonly string[], header: boolean) =>
    values
      .map((v, i) => (right[i] && !header ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(columns.map((c) => c.name), true), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map((r) => line(r, false))];
  out.push(`(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`);
  return `${out.join('\n')}\n`;
}
