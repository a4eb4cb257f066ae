import { DuckDBInstance } from '@duckdb/node-api';

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** `read_parquet([...])` over exactly these files (the ones a table snapshot lists). */
export function readParquet(files: readonly string[]): string {
  return `read_parquet([${files.map(sqlString).join(', ')}])`;
}

/**
 * Runs queries in one fresh in-memory DuckDB, the independent reader the demo checks Weir's
 * files with. Rows come back as plain JS values (BIGINT and HUGEINT as bigint).
 */
export async function withDuckDB<T>(work: (query: (sql: string) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return await work(async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[]);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
