import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Columns } from '@weir/avro';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRowError, type ParquetCodec, supportedCodecs, UnsupportedCodecError, WEIR_VERSION, writeParquetFile } from '../src/index.js';
import { ALL_TYPES, ALL_TYPES_ROWS } from './helpers/all-types.js';
import { DuckDB } from './helpers/duckdb.js';
import { readWithHyparquet } from './helpers/hyparquet.js';
import { tempDir } from './helpers/tmp.js';

let duck: DuckDB;
beforeAll(async () => {
  duck = await DuckDB.open();
});
afterAll(() => duck.close());

describe('writeParquetFile', () => {
  it('round-trips every column type through hyparquet exactly', async () => {
    const file = path.join(tempDir(), 'all.parquet');
    const written = await writeParquetFile(file, ALL_TYPES, ALL_TYPES_ROWS, { rowGroupSize: 2 });
    expect(written.rows).toBe(3);
    expect(await readWithHyparquet(file, ALL_TYPES)).toEqual(ALL_TYPES_ROWS);
  });

  it('round-trips every column type through DuckDB, an independent reader', async () => {
    const file = path.join(tempDir(), 'all.parquet');
    await writeParquetFile(file, ALL_TYPES, ALL_TYPES_ROWS, { rowGroupSize: 2 });
    const rows = await duck.query(`SELECT * FROM read_parquet('${file}')`, ALL_TYPES);
    expect(rows).toEqual(ALL_TYPES_ROWS);
    const types = await duck.raw(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${file}'))`);
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toMatchObject({
      i64: 'BIGINT',
      ts_ms: 'TIMESTAMP WITH TIME ZONE',
      ts_us: 'TIMESTAMP WITH TIME ZONE',
      day: 'DATE',
      price: 'DECIMAL(9,2)',
      amount: 'DECIMAL(18,4)',
      huge: 'DECIMAL(38,6)',
      id: 'UUID',
      tags: 'VARCHAR[]',
      attrs: 'MAP(VARCHAR, DOUBLE)',
    });
  });

  it('writes min/max statistics for every row group, visible to DuckDB', async () => {
    const file = path.join(tempDir(), 'stats.parquet');
    await writeParquetFile(file, ALL_TYPES, ALL_TYPES_ROWS, { rowGroupSize: 2 });
    const meta = await duck.raw(
      `SELECT row_group_id, path_in_schema, stats_min_value, stats_max_value, stats_null_count
       FROM parquet_metadata('${file}') WHERE path_in_schema IN ('i64', 'price', 'ts_us', 'day', 'key', 'maybe') ORDER BY 1, 2`,
    );
    const byKey = Object.fromEntries(meta.map((m) => [`${m.row_group_id}:${m.path_in_schema}`, [m.stats_min_value, m.stats_max_value]]));
    expect(byKey).toMatchObject({
      '0:i64': ['-9223372036854775808', '9223372036854775807'],
      '0:price': ['-9999999.99', '0.00'],
      '0:day': ['1900-01-01', '2026-11-26'],
      '0:key': ['a', 'b'],
      '1:i64': ['0', '0'],
      '1:price': ['12.50', '12.50'],
      '1:maybe': ['-42', '-42'],
    });
    expect(meta.filter((m) => m.path_in_schema === 'maybe').map((m) => m.stats_null_count)).toEqual([1n, 0n]);
  });

  it('records the Weir version, schema, table and source offsets in the key-value metadata', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'kv.parquet');
    const schema = [Columns.string('user'), Columns.int64('count')];
    const sources = { 'outbox:3': [{ from: '100', to: '250' }] };
    await writeParquetFile(file, schema, [{ user: 'ada', count: 1n }], {
      table: { name: 'counts', path: dir },
      sources,
      partition: { window_date: '2026-11-26' },
    });
    const kv = await duck.raw(`SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata('${file}')`);
    const map = Object.fromEntries(kv.map((entry) => [entry.key, entry.value]));
    expect(map).toEqual({
      'weir.version': WEIR_VERSION,
      'weir.schema': JSON.stringify(schema),
      'weir.table.name': 'counts',
      'weir.table.path': dir,
      'weir.source.offsets': JSON.stringify(sources),
      'weir.partition': '{"window_date":"2026-11-26"}',
    });
    const [created] = await duck.raw(`SELECT created_by FROM parquet_file_metadata('${file}')`);
    expect(created?.created_by).toBe(`weir version ${WEIR_VERSION} (hyparquet-writer)`);
  });

  it('dictionary-encodes key columns', async () => {
    const file = path.join(tempDir(), 'dict.parquet');
    const schema = [Columns.string('user'), Columns.string('payload')];
    const rows = Array.from({ length: 50 }, (_, i) => ({ user: `user-${i % 3}`, payload: `unique-${i}-${'x'.repeat(40)}` }));
    await writeParquetFile(file, schema, rows, { keyColumns: ['user'] });
    const meta = await duck.raw(`SELECT path_in_schema, encodings FROM parquet_metadata('${file}')`);
    const encodings = Object.fromEntries(meta.map((m) => [m.path_in_schema, m.encodings]));
    expect(encodings.user).toContain('RLE_DICTIONARY');
    expect(encodings.payload).not.toContain('DICTIONARY');
  });

  it.each(supportedCodecs())('writes codec %s, read back by hyparquet and DuckDB', async (codec) => {
    const file = path.join(tempDir(), `${codec}.parquet`);
    await writeParquetFile(file, ALL_TYPES, ALL_TYPES_ROWS, { codec });
    expect(await readWithHyparquet(file, ALL_TYPES)).toEqual(ALL_TYPES_ROWS);
    expect(await duck.query(`SELECT * FROM read_parquet('${file}')`, ALL_TYPES)).toEqual(ALL_TYPES_ROWS);
    const codecs = await duck.raw(`SELECT DISTINCT compression FROM parquet_metadata('${file}')`);
    expect(codecs.map((c) => c.compression)).toEqual([codec]);
  });

  it('supports SNAPPY, UNCOMPRESSED, GZIP and BROTLI everywhere, ZSTD only where zlib has zstd', async () => {
    const zstd = typeof (await import('node:zlib') as unknown as Record<string, unknown>).zstdCompressSync === 'function';
    expect(supportedCodecs()).toEqual(['SNAPPY', 'UNCOMPRESSED', 'GZIP', 'BROTLI', ...(zstd ? ['ZSTD'] : [])]);
    if (!zstd) {
      await expect(writeParquetFile(path.join(tempDir(), 'z.parquet'), ALL_TYPES, [], { codec: 'ZSTD' as ParquetCodec })).rejects.toThrow(
        UnsupportedCodecError,
      );
    }
  });

  it('splits rows into row groups of rowGroupSize and streams an async iterable', async () => {
    const file = path.join(tempDir(), 'groups.parquet');
    const schema = [Columns.int64('n')];
    async function* rows() {
      for (let n = 0n; n < 25n; n++) yield { n };
    }
    const written = await writeParquetFile(file, schema, rows(), { rowGroupSize: 10 });
    expect(written.rows).toBe(25);
    expect(written.stats).toEqual({ n: { nullCount: 0, min: '0', max: '24' } });
    const groups = await duck.raw(`SELECT num_row_groups FROM parquet_file_metadata('${file}')`);
    expect(groups[0]?.num_row_groups).toBe(3n);
  });

  it('computes JSON-safe commit statistics from the values', async () => {
    const file = path.join(tempDir(), 'stats.parquet');
    const written = await writeParquetFile(file, ALL_TYPES, ALL_TYPES_ROWS);
    expect(written.stats).toMatchObject({
      key: { nullCount: 0, min: 'a', max: 'b' },
      i64: { nullCount: 0, min: '-9223372036854775808', max: '9223372036854775807' },
      ts_ms: { min: '1969-07-20T20:17:40.123Z', max: '2026-11-26T10:00:00.000Z' },
      ts_us: { min: '-1', max: '1764151200123456' },
      day: { min: '1900-01-01', max: '2026-11-26' },
      price: { min: '-9999999.99', max: '12.50' },
      maybe: { nullCount: 1, min: '-42', max: '0' },
      raw: { nullCount: 0 },
      address: { nullCount: 1 },
    });
  });

  it('rejects a value that does not fit its column, naming it, and leaves no file behind', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'bad.parquet');
    const schema = [Columns.int64('count'), Columns.decimal('price', { precision: 5, scale: 2 })];
    await expect(writeParquetFile(file, schema, [{ count: 5, price: '1.00' }])).rejects.toThrow(
      new InvalidRowError('Column "count" (INT64) expects a bigint in the int64 range, got 5'),
    );
    await expect(writeParquetFile(file, schema, [{ count: 5n, price: '1.005' }])).rejects.toThrow(
      'Column "price" (DECIMAL(5,2)): "1.005" has more than 2 fraction digits',
    );
    await expect(writeParquetFile(file, schema, [{ count: null, price: '1.00' }])).rejects.toThrow(
      'Column "count" is not nullable, got null',
    );
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
