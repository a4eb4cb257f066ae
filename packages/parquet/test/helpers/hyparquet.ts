import type { TableSchema } from '@weir/avro';
import { decodeValue } from '../../src/internal/decode-values.js';
import { openParquet, readRows, rowGroupRanges } from '../../src/internal/read-parquet.js';

/** Reads a whole file with hyparquet (Weir's read options and conversions), rows in the column model. */
export async function readWithHyparquet(file: string, schema: TableSchema): Promise<Record<string, unknown>[]> {
  const parquet = await openParquet(file);
  try {
    const out: Record<string, unknown>[] = [];
    for (const { start, end } of rowGroupRanges(parquet.metadata)) {
      const rows = await readRows(parquet, schema.map((c) => c.name), start, end);
      for (const row of rows) out.push(Object.fromEntries(schema.map((c) => [c.name, decodeValue(c, row[c.name])])));
    }
    return out;
  } finally {
    await parquet.close();
  }
}
