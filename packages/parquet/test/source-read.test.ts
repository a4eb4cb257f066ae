import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Columns, type TableSchema } from '@weir/avro';
import { describe, expect, it } from 'vitest';
import {
  emptyReadStats,
  listParquetSource,
  type ParquetReadPosition,
  type ParquetRowBatch,
  type ParquetSourceListing,
  readParquetRows,
  writeParquetFile,
} from '../src/index.js';
import { ALL_TYPES, ALL_TYPES_ROWS } from './helpers/all-types.js';
import { tempDir } from './helpers/tmp.js';

const schema: TableSchema = [
  Columns.string('key'),
  Columns.int64('n'),
  Columns.timestampMillis('ts'),
  Columns.string('padding'),
  Columns.double('ratio', { nullable: true }),
];

function rows(file: string, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    key: `${file}#${i}`,
    n: BigInt(i),
    ts: new Date(Date.UTC(2026, 10, 26) + i * 1000),
    // A wide, incompressible column the projection tests leave unread.
    padding: Array.from({ length: 6 }, (_, j) => createHash('sha256').update(`${file}-${i}-${j}`).digest('hex')).join(''),
    ratio: i % 3 === 0 ? null : i / 10,
  }));
}

/** Three files (in a nested layout, written out of order) of 25, 10 and 7 rows, row groups of 10. */
async function threeFiles(): Promise<string> {
  const dir = tempDir();
  await writeParquetFile(path.join(dir, 'b', 'part-2.parquet'), schema, rows('b/part-2', 7), { rowGroupSize: 10 });
  await writeParquetFile(path.join(dir, 'a.parquet'), schema, rows('a', 25), { rowGroupSize: 10 });
  await writeParquetFile(path.join(dir, 'b', 'part-1.parquet'), schema, rows('b/part-1', 10), { rowGroupSize: 10 });
  return dir;
}

async function readAll(listing: ParquetSourceListing, options: Parameters<typeof readParquetRows>[1] = {}): Promise<ParquetRowBatch[]> {
  const out: ParquetRowBatch[] = [];
  for await (const batch of readParquetRows(listing, options)) out.push(batch);
  return out;
}

const keys = (batches: ParquetRowBatch[]) => batches.flatMap((b) => b.rows.map((r) => r.key));

describe('listParquetSource', () => {
  it('lists a directory recursively in sorted path order, with row groups and columns, skipping hidden and non-Parquet files', async () => {
    const dir = await threeFiles();
    writeFileSync(path.join(dir, '_SUCCESS'), '');
    writeFileSync(path.join(dir, 'README.txt'), 'not data');
    writeFileSync(path.join(dir, 'b', '.tmp-123.parquet'), 'half written');
    const listing = await listParquetSource(dir);
    expect(listing.kind).toBe('files');
    expect(listing.root).toBe(dir);
    expect(listing.table).toBeUndefined();
    expect(listing.files.map((f) => [f.path, f.rows, f.rowGroupRows])).toEqual([
      ['a.parquet', 25, [10, 10, 5]],
      ['b/part-1.parquet', 10, [10]],
      ['b/part-2.parquet', 7, [7]],
    ]);
    expect(listing.files[0]!.columns).toEqual(schema);
  });

  it('lists a glob in sorted path order, and a single file relative to its directory', async () => {
    const dir = await threeFiles();
    const glob = await listParquetSource(path.join(dir, 'b', 'part-*.parquet'));
    expect(glob.root).toBe(path.join(dir, 'b'));
    expect(glob.files.map((f) => f.path)).toEqual(['part-1.parquet', 'part-2.parquet']);
    const deep = await listParquetSource(`${dir}/**/*.parquet`);
    expect(deep.files.map((f) => f.path)).toEqual(['a.parquet', 'b/part-1.parquet', 'b/part-2.parquet']);
    const alternatives = await listParquetSource(`${dir}/{b,c}/part-{2,3}.parquet`);
    expect(alternatives.files.map((f) => f.path)).toEqual(['b/part-2.parquet']);
    const classes = await listParquetSource(`${dir}/b/part-[!2].parquet`);
    expect(classes.files.map((f) => f.path)).toEqual(['part-1.parquet']);
    const none = await listParquetSource(`${dir}/c/*.parquet`);
    expect(none.files).toEqual([]);
    const one = await listParquetSource(path.join(dir, 'b', 'part-2.parquet'));
    expect(one.root).toBe(path.join(dir, 'b'));
    expect(one.files.map((f) => f.path)).toEqual(['part-2.parquet']);
  });

  it('refuses a missing path and a version for plain files', async () => {
    const dir = await threeFiles();
    await expect(listParquetSource(path.join(dir, 'nope'))).rejects.toThrow(`Parquet source ${path.join(dir, 'nope')}: no such file or directory`);
    await expect(listParquetSource(dir, { version: 0 })).rejects.toThrow('a version applies to a Weir table only');
  });
});

describe('readParquetRows', () => {
  it('reads files in listing order and rows in file order, one batch per row group', async () => {
    const listing = await listParquetSource(await threeFiles());
    const batches = await readAll(listing);
    expect(batches.map((b) => [b.file, b.rowGroup, b.firstRow, b.rows.length])).toEqual([
      ['a.parquet', 0, 0, 10],
      ['a.parquet', 1, 0, 10],
      ['a.parquet', 2, 0, 5],
      ['b/part-1.parquet', 0, 0, 10],
      ['b/part-2.parquet', 0, 0, 7],
    ]);
    expect(keys(batches)).toEqual([
      ...rows('a', 25).map((r) => r.key),
      ...rows('b/part-1', 10).map((r) => r.key),
      ...rows('b/part-2', 7).map((r) => r.key),
    ]);
    expect(batches[0]!.rows[1]).toEqual(rows('a', 25)[1]);
    expect(batches.map((b) => b.next)).toEqual([
      { file: 'a.parquet', rowGroup: 1, row: 0 },
      { file: 'a.parquet', rowGroup: 2, row: 0 },
      { file: 'a.parquet', rowGroup: 3, row: 0 },
      { file: 'b/part-1.parquet', rowGroup: 1, row: 0 },
      { file: 'b/part-2.parquet', rowGroup: 1, row: 0 },
    ]);
  });

  it('resumes exactly at every kind of position: start, mid row group, group boundary, file boundary, end', async () => {
    const listing = await listParquetSource(await threeFiles());
    const all = keys(await readAll(listing));
    const cases: [ParquetReadPosition, number][] = [
      [{ file: 'a.parquet', rowGroup: 0, row: 0 }, 0],
      [{ file: 'a.parquet', rowGroup: 1, row: 3 }, 13],
      [{ file: 'a.parquet', rowGroup: 2, row: 0 }, 20],
      // The end of a row group is the start of the next one.
      [{ file: 'a.parquet', rowGroup: 1, row: 10 }, 20],
      // The end of a file (a batch's `next` after its last group) continues with the next file.
      [{ file: 'a.parquet', rowGroup: 3, row: 0 }, 25],
      [{ file: 'b/part-1.parquet', rowGroup: 0, row: 0 }, 25],
      [{ file: 'b/part-2.parquet', rowGroup: 0, row: 6 }, 41],
      [{ file: 'b/part-2.parquet', rowGroup: 1, row: 0 }, 42],
    ];
    for (const [from, skipped] of cases) {
      const batches = await readAll(listing, { from });
      expect(keys(batches), JSON.stringify(from)).toEqual(all.slice(skipped));
      if (batches.length > 0) expect(batches[0]!.firstRow).toBe(from.row < (listing.files.find((f) => f.path === from.file)?.rowGroupRows[from.rowGroup] ?? 0) ? from.row : 0);
    }
  });

  it('resumes from each batch `next` without losing or repeating a row, with batches smaller than a row group', async () => {
    const listing = await listParquetSource(await threeFiles());
    const all = keys(await readAll(listing));
    // Stop after every batch and resume from its `next`, as a source committing each batch does.
    const seen: unknown[] = [];
    let from: ParquetReadPosition | undefined;
    for (;;) {
      const iterator = readParquetRows(listing, { batchRows: 4, ...(from === undefined ? {} : { from }) })[Symbol.asyncIterator]();
      const step = await iterator.next();
      await iterator.return?.(undefined);
      if (step.done) break;
      expect(step.value.rows.length).toBeLessThanOrEqual(4);
      seen.push(...step.value.rows.map((r) => r.key));
      from = step.value.next;
    }
    expect(seen).toEqual(all);
  });

  it('goes on after a position whose file is gone, with the files that sort after it', async () => {
    const listing = await listParquetSource(await threeFiles());
    const batches = await readAll(listing, { from: { file: 'b/part-0.parquet', rowGroup: 0, row: 5 } });
    expect(batches.map((b) => b.file)).toEqual(['b/part-1.parquet', 'b/part-2.parquet']);
  });

  it('fetches and decodes only the requested columns', async () => {
    const listing = await listParquetSource(await threeFiles());
    const full = emptyReadStats();
    await readAll(listing, { stats: full });
    const narrow = emptyReadStats();
    const batches = await readAll(listing, { columns: ['n', 'key'], stats: narrow });
    expect(Object.keys(batches[0]?.rows[0] ?? {})).toEqual(['n', 'key']);
    expect(batches[0]!.rows[0]).toEqual({ n: 0n, key: 'a#0' });
    // Five row groups: five chunks of each column.
    expect(full.columnsRead).toBe(5 * schema.length);
    expect(narrow.columnsRead).toBe(5 * 2);
    expect(narrow.rows).toBe(42);
    // The 384-byte padding column dominates the data; reading without it fetches a fraction.
    expect(narrow.bytesRead).toBeGreaterThan(0);
    expect(narrow.bytesRead).toBeLessThan(full.bytesRead / 4);
    const none = emptyReadStats();
    const empty = await readAll(listing, { columns: [], stats: none });
    expect(empty.flatMap((b) => b.rows)).toHaveLength(42);
    expect(none.bytesRead).toBe(0);
  });

  it('holds one row group at a time: bytes are fetched group by group as the reader advances', async () => {
    const dir = tempDir();
    await writeParquetFile(path.join(dir, 'big.parquet'), schema, rows('big', 1000), { rowGroupSize: 100 });
    const listing = await listParquetSource(dir);
    const stats = emptyReadStats();
    const fetched: number[] = [];
    for await (const batch of readParquetRows(listing, { stats })) {
      expect(batch.rows).toHaveLength(100);
      fetched.push(stats.bytesRead);
    }
    expect(fetched).toHaveLength(10);
    // After the first group, about a tenth of the file's data has been fetched, not all of it.
    expect(fetched[0]!).toBeLessThan(fetched[9]! / 5);
    for (let i = 1; i < fetched.length; i++) expect(fetched[i]!).toBeGreaterThan(fetched[i - 1]!);
  });

  it('gives every column type the same JS values as written (and as a table scan gives)', async () => {
    const dir = tempDir();
    await writeParquetFile(path.join(dir, 'all.parquet'), ALL_TYPES, ALL_TYPES_ROWS);
    const listing = await listParquetSource(dir);
    expect(listing.files[0]!.columns).toEqual(ALL_TYPES);
    const read = (await readAll(listing)).flatMap((b) => b.rows);
    expect(read).toEqual(ALL_TYPES_ROWS.map((row) => ({ ...row, raw: expect.any(Uint8Array) })));
    expect(read.map((r) => Array.from(r.raw as Uint8Array))).toEqual(ALL_TYPES_ROWS.map((r) => Array.from(r.raw as Uint8Array)));
  });

  it('stops when the signal aborts', async () => {
    const listing = await listParquetSource(await threeFiles());
    const controller = new AbortController();
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const batch of readParquetRows(listing, { signal: controller.signal })) {
          seen.push(batch.rows.length);
          controller.abort(new Error('enough'));
        }
      })(),
    ).rejects.toThrow('enough');
    expect(seen).toEqual([10]);
  });

  it('names a requested column a file does not have', async () => {
    const dir = await threeFiles();
    mkdirSync(path.join(dir, 'c'));
    await writeParquetFile(path.join(dir, 'c', 'other.parquet'), [Columns.string('key')], [{ key: 'x' }]);
    const listing = await listParquetSource(dir);
    await expect(readAll(listing, { columns: ['key', 'n'] })).rejects.toThrow('Parquet file c/other.parquet has no column "n"');
  });
});
