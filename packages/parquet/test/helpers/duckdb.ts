import {
  type DuckDBBlobValue,
  type DuckDBConnection,
  type DuckDBDateValue,
  type DuckDBDecimalValue,
  DuckDBInstance,
  type DuckDBListValue,
  type DuckDBMapValue,
  type DuckDBStructValue,
  type DuckDBTimestampTZValue,
  type DuckDBTimestampValue,
  type DuckDBUUIDValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { Column, TableSchema } from '@weir/avro';
import { unscaledToDecimal } from '../../src/internal/decimal.js';

/** An in-memory DuckDB: the independent reader the tests compare Weir with. */
export class DuckDB {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(): Promise<DuckDB> {
    const instance = await DuckDBInstance.create(':memory:');
    return new DuckDB(instance, await instance.connect());
  }

  /** Rows as DuckDB's own value objects. */
  async raw(sql: string): Promise<Record<string, DuckDBValue>[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjects();
  }

  /** Rows converted to Weir's column model by `schema` (columns not in it are left as DuckDB gives them). */
  async query(sql: string, schema: TableSchema): Promise<Record<string, unknown>[]> {
    const rows = await this.raw(sql);
    return rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(row)) {
        const column = schema.find((c) => c.name === name);
        out[name] = column === undefined ? value : toModel(column, value);
      }
      return out;
    });
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** A SQL list of file paths: `['/a.parquet', '/b.parquet']`. */
export function fileList(paths: readonly string[]): string {
  return `[${paths.map((p) => `'${p.replace(/'/g, "''")}'`).join(', ')}]`;
}

/** Converts a DuckDB value to the JS value the column model gives that column. */
export function toModel(column: Column, value: DuckDBValue): unknown {
  if (value === null) return null;
  const { type } = column;
  if (typeof type !== 'string') {
    switch (type.kind) {
      case 'record': {
        const entries = (value as DuckDBStructValue).entries;
        return Object.fromEntries(type.fields.map((field) => [field.name, toModel(field, entries[field.name] ?? null)]));
      }
      case 'list':
        return (value as DuckDBListValue).items.map((item) => toModel(type.element, item));
      case 'map':
        return Object.fromEntries(
          (value as DuckDBMapValue).entries.map(({ key, value: item }) => [String(toModel(type.key, key)), toModel(type.value, item)]),
        );
    }
  }
  switch (column.type) {
    case 'DECIMAL':
      return unscaledToDecimal((value as DuckDBDecimalValue).value, (value as DuckDBDecimalValue).scale);
    case 'TIMESTAMP_MILLIS':
      return new Date(Number((value as DuckDBTimestampTZValue).micros / 1000n));
    case 'TIMESTAMP_MICROS':
      return (value as DuckDBTimestampTZValue | DuckDBTimestampValue).micros;
    case 'DATE':
      return new Date((value as DuckDBDateValue).days * 86_400_000);
    case 'UUID':
      return (value as DuckDBUUIDValue).toString();
    case 'BYTES':
      return new Uint8Array((value as DuckDBBlobValue).bytes);
    case 'INT64':
      return BigInt(value as bigint);
    default:
      return value;
  }
}

