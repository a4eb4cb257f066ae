import { DuckDBInstance } from '@duckdb/node-api';

/**
 * Runs a query in a fresh in-memory DuckDB: the independent reader the tests check Weir's
 * Parquet files with. Returns rows as plain objects (BIGINT as bigint, TIMESTAMP as DuckDB's value).
 */
export async function duckdbQuery(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjects() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
