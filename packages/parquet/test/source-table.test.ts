import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Columns, type TableSchema } from '@weir/avro';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkSourceColumns,
  compactTable,
  listParquetSource,
  openTable,
  type ParquetRowBatch,
  type ParquetSourceListing,
  readParquetRows,
  TableNotFoundError,
  TableWriter,
} from '../src/index.js';
import { ALL_TYPES, ALL_TYPES_ROWS } from './helpers/all-types.js';
import { DuckDB } from './helpers/duckdb.js';
import { tempDir } from './helpers/tmp.js';

const v1: TableSchema = [Columns.string('user'), Columns.int32('clicks'), Columns.timestampMillis('ts')];
const v2: TableSchema = [Columns.string('user'), Columns.int64('clicks'), Columns.timestampMillis('ts'), Columns.string('region', { nullable: true })];
const at = (minute: number) => new Date(Date.UTC(2026, 10, 26, 10, minute));

async function readAll(listing: ParquetSourceListing, options: Parameters<typeof readParquetRows>[1] = {}): Promise<ParquetRowBatch[]> {
  const out: ParquetRowBatch[] = [];
  for await (const batch of readParquetRows(listing, options)) out.push(batch);
  return out;
}

/**
 * Three commits whose file names sort against commit order (the first covers topic `zzz`, the
 * second topic `aaa`: `part-aaa-...` sorts first), the last two with a newer schema.
 */
async function threeCommits(): Promise<string> {
  const dir = tempDir();
  const old = await TableWriter.open(dir, { schema: v1, name: 'clicks' });
  await old.write(
    [
      { user: 'zed', clicks: 1, ts: at(0) },
      { user: 'amy', clicks: 2, ts: at(1) },
    ],
    { sources: { 'zzz:0': { from: '90', to: '100' } } },
  );
  const current = await TableWriter.open(dir, { schema: v2 });
  await current.write([{ user: 'bob', clicks: 3n, ts: at(2), region: 'eu' }], { sources: { 'aaa:0': { from: '100', to: '120' } } });
  await current.write([{ user: 'cy', clicks: 4n, ts: at(3), region: null }], {
    sources: { 'aaa:0': { from: '120', to: '125' }, 'aaa:1': { from: '0', to: '7' } },
  });
  return dir;
}

describe('a Weir table as a Parquet source', () => {
  it('reads the snapshot files in commit order, as the snapshot schema, with the source offsets the commits cover', async () => {
    const dir = await threeCommits();
    // Files that no commit lists are never read, whatever their names.
    writeFileSync(path.join(dir, 'data', 'aaa-stray.parquet'), 'not committed');
    const listing = await listParquetSource(dir);
    const table = await openTable(dir);
    expect(listing.kind).toBe('table');
    expect(listing.root).toBe(dir);
    expect(listing.files.map((f) => f.path)).toEqual(table.files().map((f) => f.path));
    expect(listing.files[0]!.path).toMatch(/^data\/part-zzz-0-/);
    expect(listing.files[1]!.path).toMatch(/^data\/part-aaa-0-/);
    expect(listing.table).toEqual({ version: 2, sourceOffsets: { 'zzz:0': '100', 'aaa:0': '125', 'aaa:1': '7' }, schema: v2 });
    expect(listing.files[0]!.columns).toEqual(v1);
    const read = (await readAll(listing)).flatMap((b) => b.rows);
    // Commit order, then file order, with old files converted to the current schema as scan does.
    expect(read).toEqual(await table.scan().toArray());
    expect(read.map((r) => r.user)).toEqual(['zed', 'amy', 'bob', 'cy']);
    expect(read[1]).toEqual({ user: 'amy', clicks: 2n, ts: at(1), region: null });
  });

  it('reads an older version, with its files, schema and source offsets', async () => {
    const dir = await threeCommits();
    const listing = await listParquetSource(dir, { version: 0 });
    expect(listing.table).toEqual({ version: 0, sourceOffsets: { 'zzz:0': '100' }, schema: v1 });
    expect((await readAll(listing, { columns: ['user', 'clicks'] })).flatMap((b) => b.rows)).toEqual([
      { user: 'zed', clicks: 1 },
      { user: 'amy', clicks: 2 },
    ]);
    await expect(listParquetSource(dir, { version: 7 })).rejects.toThrow(TableNotFoundError);
  });

  it('checks declared columns against the snapshot schema', async () => {
    const listing = await listParquetSource(await threeCommits());
    expect(() => checkSourceColumns(listing, [Columns.string('region', { nullable: true }), Columns.int64('clicks')])).not.toThrow();
    expect(() => checkSourceColumns(listing, [Columns.int32('clicks')])).toThrow(
      `Declared column "clicks" is INT32 but table ${listing.root} (version 2) has it as INT64`,
    );
    expect(() => checkSourceColumns(listing, [Columns.string('country')])).toThrow(`Declared column "country" is missing from table ${listing.root} (version 2)`);
  });

  it('refuses to resume at a file the snapshot no longer holds (compacted away)', async () => {
    const dir = await threeCommits();
    const before = await listParquetSource(dir);
    await compactTable(dir);
    const after = await listParquetSource(dir);
    await expect(readAll(after, { from: { file: before.files[1]!.path, rowGroup: 0, row: 0 } })).rejects.toThrow(
      `Cannot resume a Parquet source at ${before.files[1]!.path}: table snapshot version ${after.table!.version} does not hold that file`,
    );
  });
});

describe('files written by another tool', () => {
  let duck: DuckDB;
  beforeAll(async () => {
    duck = await DuckDB.open();
  });

  it('derives the columns from the Parquet schema and decodes as a Weir file would', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'duck.parquet');
    await duck.raw(`COPY (SELECT 'k' || i AS key, i::BIGINT AS n, i::INTEGER AS small, (i / 4)::DECIMAL(10, 2) AS price,
      TIMESTAMPTZ '2026-11-26 00:00:00+00' + to_microseconds(i) AS ts, DATE '2026-11-26' AS day,
      [i, i + 1] AS pair, {'a': i} AS rec, CASE WHEN i % 2 = 0 THEN NULL ELSE i::DOUBLE END AS maybe
      FROM range(3) t(i)) TO '${file}' (FORMAT parquet)`);
    const listing = await listParquetSource(file);
    expect(listing.files[0]!.columns).toEqual([
      Columns.string('key', { nullable: true }),
      Columns.int64('n', { nullable: true }),
      Columns.int32('small', { nullable: true }),
      Columns.decimal('price', { precision: 10, scale: 2, nullable: true }),
      Columns.timestampMicros('ts', { nullable: true }),
      Columns.date('day', { nullable: true }),
      Columns.list('pair', Columns.int64('element', { nullable: true }), { nullable: true }),
      Columns.record('rec', [Columns.int64('a', { nullable: true })], { nullable: true }),
      Columns.double('maybe', { nullable: true }),
    ]);
    const base = BigInt(Date.UTC(2026, 10, 26)) * 1000n;
    expect((await readAll(listing)).flatMap((b) => b.rows)).toEqual([0, 1, 2].map((i) => ({
      key: `k${i}`,
      n: BigInt(i),
      small: i,
      price: (i / 4).toFixed(2),
      ts: base + BigInt(i),
      day: new Date(Date.UTC(2026, 10, 26)),
      pair: [BigInt(i), BigInt(i + 1)],
      rec: { a: BigInt(i) },
      maybe: i % 2 === 0 ? null : i,
    })));
  });

  it('lists a column of a type without a column-model value as unsupported, and refuses it by name', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'nanos.parquet');
    await duck.raw(`COPY (SELECT 1 AS id, TIMESTAMP_NS '2026-11-26 00:00:00.000000001' AS t) TO '${file}' (FORMAT parquet)`);
    const listing = await listParquetSource(file);
    expect(listing.files[0]!.columns.map((c) => c.name)).toEqual(['id']);
    expect(Object.keys(listing.files[0]!.unsupportedColumns)).toEqual(['t']);
    expect(() => checkSourceColumns(listing, [Columns.timestampMicros('t')])).toThrow(/Declared column "t" of Parquet file nanos\.parquet has type INT64 TIMESTAMP\(NANOS\), which Weir cannot read/);
    await expect(readAll(listing, { columns: ['t'] })).rejects.toThrow('column "t" has type INT64 TIMESTAMP(NANOS), which Weir cannot read');
    expect((await readAll(listing)).flatMap((b) => b.rows)).toEqual([{ id: 1 }]);
  });

  it('reads every Weir column type of a table exactly as scan does', async () => {
    const dir = tempDir();
    const writer = await TableWriter.open(dir, { schema: ALL_TYPES });
    await writer.write(ALL_TYPES_ROWS);
    const listing = await listParquetSource(dir);
    expect((await readAll(listing)).flatMap((b) => b.rows)).toEqual(await (await openTable(dir)).scan().toArray());
  });
});
