import path from 'node:path';
import type { Column, TableSchema } from '@weir/avro';
import { SourceSchemaError } from '../errors.js';
import type { ParquetSourceListing } from './list-source.js';

/** The type of a column as one line: `INT64`, `DECIMAL(12, 2)`, `list<STRING>`, `record{a: INT32}`. */
export function describeColumnType(column: Column): string {
  const { type } = column;
  if (typeof type === 'string') return column.type === 'DECIMAL' ? `DECIMAL(${column.precision}, ${column.scale})` : type;
  switch (type.kind) {
    case 'list':
      return `list<${describeColumnType(type.element)}>`;
    case 'map':
      return `map<${describeColumnType(type.key)}, ${describeColumnType(type.value)}>`;
    case 'record':
      return `record{${type.fields.map((f) => `${f.name}: ${describeColumnType(f)}`).join(', ')}}`;
  }
}

// Types, not nullability: most writers (DuckDB, Spark) mark every column OPTIONAL, and a declared
// non-nullable column then fails on the first null it meets, not on the file's declaration.
function sameType(a: Column, b: Column): boolean {
  return describeColumnType(a) === describeColumnType(b);
}

/**
 * Refuses a source whose files do not hold the declared columns, before any row is read: for
 * plain files, every file must have every declared column with the declared type (nullability
 * aside); for a Weir table, the snapshot schema must (files written before a column was added
 * read it as null, as a table scan does).
 *
 * @param listing from {@link listParquetSource}
 * @param declared the columns the source will read
 * @throws SourceSchemaError naming the column, the file and both types
 * @example
 * ```ts
 * checkSourceColumns(await listParquetSource('/archive/clicks'), [Columns.string('user'), Columns.timestampMillis('ts')]);
 * ```
 */
export function checkSourceColumns(listing: ParquetSourceListing, declared: TableSchema): void {
  const sources =
    listing.kind === 'table' && listing.table !== undefined
      ? [{ what: `table ${listing.root} (version ${listing.table.version})`, file: listing.root, columns: listing.table.schema, unsupported: {} as Record<string, string> }]
      : listing.files.map((file) => ({ what: `Parquet file ${file.path}`, file: path.join(listing.root, file.path), columns: file.columns, unsupported: file.unsupportedColumns }));
  for (const column of declared) {
    for (const { what, file, columns, unsupported } of sources) {
      const found = columns.find((c) => c.name === column.name);
      if (found === undefined) {
        const type = unsupported[column.name];
        throw new SourceSchemaError(
          type === undefined
            ? `Declared column "${column.name}" is missing from ${what}`
            : `Declared column "${column.name}" of ${what} has type ${type}, which Weir cannot read`,
          { context: { file } },
        );
      }
      if (!sameType(found, column)) {
        throw new SourceSchemaError(
          `Declared column "${column.name}" is ${describeColumnType(column)} but ${what} has it as ${describeColumnType(found)}`,
          { context: { file } },
        );
      }
    }
  }
}
