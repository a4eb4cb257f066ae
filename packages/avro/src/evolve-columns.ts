import type { Column, TableSchema } from './columns.js';
import { IncompatibleSchemaError, type SchemaIssue } from './errors.js';

/** What a compatible column change does, as dotted paths (`address.zip`, `tags[]`, `attrs{}`). */
export interface ColumnEvolution {
  /** New nullable columns: old files read them as `null`. */
  added: string[];
  /** Columns the new schema drops: old files' values for them are ignored. */
  removed: string[];
  /** Columns whose type widened (INT32 to INT64, ...) or that became nullable. */
  widened: string[];
}

// Widening a reader applies to old values without loss of meaning (Avro's numeric promotions).
const PROMOTIONS: Record<string, readonly string[]> = {
  INT32: ['INT64', 'FLOAT', 'DOUBLE'],
  INT64: ['FLOAT', 'DOUBLE'],
  FLOAT: ['DOUBLE'],
};

function label(column: Column): string {
  const { type } = column;
  if (typeof type === 'string') {
    return column.type === 'DECIMAL' ? `DECIMAL(${column.precision},${column.scale})` : type;
  }
  switch (type.kind) {
    case 'record':
      return `record {${type.fields.map((f) => f.name).join(', ')}}`;
    case 'list':
      return `list<${label(type.element)}>`;
    case 'map':
      return `map<${label(type.key)}, ${label(type.value)}>`;
  }
}

class Comparison {
  readonly issues: SchemaIssue[] = [];
  readonly evolution: ColumnEvolution = { added: [], removed: [], widened: [] };

  columns(olds: readonly Column[], news: readonly Column[], prefix: string): void {
    const byName = new Map(olds.map((column) => [column.name, column]));
    const newNames = new Set(news.map((column) => column.name));
    for (const column of news) {
      const path = prefix + column.name;
      const old = byName.get(column.name);
      if (old !== undefined) this.column(old, column, path);
      else if (column.nullable) this.evolution.added.push(path);
      else {
        this.issue(path, `column "${path}" was added without being nullable: old files have no value for it`);
      }
    }
    for (const old of olds) if (!newNames.has(old.name)) this.evolution.removed.push(prefix + old.name);
  }

  private column(old: Column, column: Column, path: string): void {
    if (old.nullable && !column.nullable) {
      this.issue(path, `column "${path}" became non-nullable: old files may hold null in it`);
    } else if (!old.nullable && column.nullable) {
      this.evolution.widened.push(path);
    }
    const changed = (hint = ''): void =>
      this.issue(path, `column "${path}" changed type from ${label(old)} to ${label(column)}${hint}`);
    const oldType = old.type;
    const newType = column.type;
    if (typeof oldType === 'string' || typeof newType === 'string') {
      if (oldType === newType) {
        if (old.type === 'DECIMAL' && column.type === 'DECIMAL') {
          if (old.scale !== column.scale) changed(': a new scale changes the value of every old decimal');
          else if (old.precision > column.precision) changed(': old values may not fit the smaller precision');
          else if (old.precision < column.precision) this.evolution.widened.push(path);
        }
      } else if (typeof oldType === 'string' && typeof newType === 'string' && PROMOTIONS[oldType]?.includes(newType)) {
        this.evolution.widened.push(path);
      } else {
        changed();
      }
      return;
    }
    if (oldType.kind === 'record' && newType.kind === 'record') {
      this.columns(oldType.fields, newType.fields, `${path}.`);
    } else if (oldType.kind === 'list' && newType.kind === 'list') {
      this.column(oldType.element, newType.element, `${path}[]`);
    } else if (oldType.kind === 'map' && newType.kind === 'map') {
      if (label(oldType.key) !== label(newType.key)) changed(': map keys must keep their type');
      else this.column(oldType.value, newType.value, `${path}{}`);
    } else {
      changed();
    }
  }

  private issue(path: string, message: string): void {
    this.issues.push({ path, message });
  }
}

/**
 * Checks that a table whose files were written with `oldColumns` can be read with `newColumns`,
 * as a table snapshot does after a schema change, and says what changed.
 *
 * Allowed: a new column that is nullable (old files read it as `null`); a dropped column; a
 * column that becomes nullable; numeric widening (INT32 to INT64, FLOAT or DOUBLE; INT64 to
 * FLOAT or DOUBLE; FLOAT to DOUBLE); a DECIMAL that gains precision at the same scale. The same
 * rules apply inside records, list elements and map values. Everything else is refused, naming
 * the column. Stricter than Avro's {@link checkCompatible}: a table has no defaults (an Avro
 * field added with a non-null default must be nullable here), and STRING/BYTES or logical types
 * do not convert.
 *
 * @param oldColumns the columns of the files already in the table
 * @param newColumns the columns readers and new files will use
 * @returns the added, removed and widened column paths
 * @throws IncompatibleSchemaError naming each offending column:
 *   `Incompatible schema change: column "count" changed type from INT64 to STRING`
 * @example
 * ```ts
 * evolveColumns(v1, [...v1, Columns.string('region', { nullable: true })]);
 * // { added: ['region'], removed: [], widened: [] }
 * ```
 */
export function evolveColumns(oldColumns: TableSchema, newColumns: TableSchema): ColumnEvolution {
  const comparison = new Comparison();
  comparison.columns(oldColumns, newColumns, '');
  if (comparison.issues.length > 0) throw new IncompatibleSchemaError(comparison.issues);
  return comparison.evolution;
}
