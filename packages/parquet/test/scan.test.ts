import { Columns, type TableSchema } from '@weir/avro';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, col, type Filter, InvalidQueryError, openTable, or, TableWriter } from '../src/index.js';
import { DuckDB, fileList } from './helpers/duckdb.js';
import { tempDir } from './helpers/tmp.js';

const schema: TableSchema = [
  Columns.string('key'),
  Columns.timestampMillis('window_start'),
  Columns.int64('count'),
  Columns.decimal('revenue', { precision: 12, scale: 2 }),
  Columns.double('ratio', { nullable: true }),
  Columns.date('day'),
  Columns.timestampMicros('micros'),
  Columns.uuid('id'),
];

const DAY = 86_400_000;
const base = Date.UTC(2026, 10, 22);

function row(commit: number, i: number) {
  const n = commit * 200 + i;
  return {
    key: `k${String(Math.floor(i / 10)).padStart(2, '0')}`,
    window_start: new Date(base + commit * DAY + (i % 10) * 60_000),
    count: BigInt(n),
    revenue: `${Math.floor(n * 1.5)}.${String(n % 100).padStart(2, '0')}`,
    ratio: n % 7 === 0 ? null : (n % 10) / 10,
    day: new Date(base + commit * DAY),
    micros: BigInt(base + commit * DAY) * 1000n + BigInt(i),
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  };
}

let duck: DuckDB;
let dir: string;
beforeAll(async () => {
  duck = await DuckDB.open();
  dir = tempDir('weir-scan-', 'file');
  const writer = await TableWriter.open(dir, { schema, keyColumns: ['key'], rowGroupSize: 50 });
  for (let commit = 0; commit < 4; commit++) {
    // Shuffled input: the writer sorts by the key column so row groups cover key ranges.
    const rows = Array.from({ length: 200 }, (_, i) => row(commit, (i * 37) % 200));
    await writer.write(rows, { sources: { 'outbox:0': { from: String(commit * 200), to: String(commit * 200 + 200) } } });
  }
});
afterAll(() => duck.close());

const cases: [string, Filter, string][] = [
  ['key =', col('key').eq('k07'), `key = 'k07'`],
  ['timestamp >=', col('window_start').gte(new Date(base + 2 * DAY)), `window_start >= TIMESTAMPTZ '2026-11-24 00:00:00+00'`],
  ['int64 range', and(col('count').gt(100n), col('count').lte(300)), 'count > 100 AND count <= 300'],
  ['in', col('key').in(['k01', 'k15', 'nope']), `key IN ('k01', 'k15', 'nope')`],
  ['or with isNull', or(col('revenue').lt('10.00'), col('ratio').isNull()), 'revenue < 10.00 OR ratio IS NULL'],
  ['!= skips nulls', col('ratio').ne(0.5), 'ratio != 0.5'],
  ['date =', col('day').eq(new Date(base + DAY)), `day = DATE '2026-11-23'`],
  ['micros <', col('micros').lt(BigInt(base + DAY) * 1000n + 5n), `epoch_us(micros) < ${BigInt(base + DAY) * 1000n + 5n}`],
  ['uuid =', col('id').eq('00000000-0000-4000-8000-000000000421'), `id = '00000000-0000-4000-8000-000000000421'`],
  ['decimal between', col('revenue').between('100.00', '200.50'), 'revenue BETWEEN 100.00 AND 200.50'],
  ['isNotNull and key <', and(col('ratio').isNotNull(), col('key').lt('k02')), `ratio IS NOT NULL AND key < 'k02'`],
  ['matches nothing', col('count').gt(10_000n), 'count > 10000'],
];

describe('Table.scan', () => {
  it.each(cases)('filter %s gives the rows DuckDB gives for the same WHERE', async (_name, filter, where) => {
    const table = await openTable(dir);
    const rows = await table.scan({ filter, orderBy: 'count' }).toArray();
    const expected = await duck.query(`SELECT * FROM read_parquet(${fileList(table.filePaths())}) WHERE ${where} ORDER BY count`, schema);
    expect(rows).toEqual(expected);
    expect(await table.count(filter)).toBe(expected.length);
  });

  it('skips row groups by Parquet statistics (key clustering)', async () => {
    const table = await openTable(dir);
    const scan = table.scan({ filter: col('key').eq('k07') });
    expect(await scan.toArray()).toHaveLength(40);
    // 4 files of 4 row groups, each covering 5 keys: one row group per file can hold k07.
    expect(scan.stats).toMatchObject({ filesTotal: 4, filesSkipped: 0, filesRead: 4, rowGroupsRead: 4, rowGroupsSkipped: 12, rowsRead: 200, rowsReturned: 40 });
    expect(table.lastScanStats).toBe(scan.stats);
  });

  it('skips files by commit statistics (time ranges)', async () => {
    const table = await openTable(dir);
    const scan = table.scan({ filter: col('window_start').gte(new Date(base + 3 * DAY)) });
    expect(await scan.toArray()).toHaveLength(200);
    expect(scan.stats).toMatchObject({ filesTotal: 4, filesSkipped: 3, filesRead: 1, rowGroupsSkipped: 0, rowGroupsRead: 4 });
  });

  it('reads only the columns asked for, and stops at the limit', async () => {
    const table = await openTable(dir);
    const scan = table.scan({ columns: ['key', 'count'], limit: 3 });
    const rows = await scan.toArray();
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toEqual({ key: 'k00', count: expect.any(BigInt) });
    expect(scan.stats).toMatchObject({ filesRead: 1, rowGroupsRead: 1, rowsReturned: 3 });
  });

  it('orders by several keys with nulls last, like DuckDB', async () => {
    const table = await openTable(dir);
    const rows = await table
      .scan({ columns: ['count', 'ratio'], orderBy: [{ column: 'ratio', direction: 'desc' }, 'count'], limit: 30, filter: col('key').lte('k03') })
      .toArray();
    const expected = await duck.query(
      `SELECT count, ratio FROM read_parquet(${fileList(table.filePaths())}) WHERE key <= 'k03' ORDER BY ratio DESC NULLS LAST, count LIMIT 30`,
      schema,
    );
    expect(rows).toEqual(expected);
  });

  it('prunes FLOAT columns by the stored float32 values', async () => {
    const floats = tempDir();
    const writer = await TableWriter.open(floats, { schema: [Columns.float('f')] });
    await writer.write([{ f: 0.1 }]);
    const table = await openTable(floats);
    // 0.1 is stored as float32 0.10000000149...: it is > 0.1, and statistics must agree.
    expect(await table.scan({ filter: col('f').gt(0.1) }).toArray()).toEqual([{ f: Math.fround(0.1) }]);
    expect(table.files()[0]!.stats.f).toEqual({ nullCount: 0, min: Math.fround(0.1), max: Math.fround(0.1) });
  });

  it('rejects unknown columns and literals of the wrong type', async () => {
    const table = await openTable(dir);
    expect(() => table.scan({ filter: col('nope').eq(1) })).toThrow(
      new InvalidQueryError('Filter names column "nope", which the table does not have'),
    );
    expect(() => table.scan({ filter: col('count').eq('many') })).toThrow('Filter compares column "count" (INT64) with string many');
    expect(() => table.scan({ columns: ['nope'] })).toThrow('Scan asks for column "nope", which the table does not have');
  });
});
