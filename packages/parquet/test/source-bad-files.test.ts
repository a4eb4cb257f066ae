import { randomBytes } from 'node:crypto';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Columns, type TableSchema } from '@weir/avro';
import { describe, expect, it } from 'vitest';
import {
  BadParquetFileError,
  checkSourceColumns,
  listParquetSource,
  type ParquetRowBatch,
  type ParquetSourceListing,
  readParquetRows,
  SourceSchemaError,
  TableError,
  writeParquetFile,
} from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

const schema: TableSchema = [Columns.string('key'), Columns.int64('n')];
const rows = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => ({ key: `${prefix}${i}`, n: BigInt(i) }));

async function good(dir: string, name: string, count = 5): Promise<void> {
  await writeParquetFile(path.join(dir, name), schema, rows(name, count), { rowGroupSize: 2 });
}

async function readAll(listing: ParquetSourceListing, options: Parameters<typeof readParquetRows>[1] = {}): Promise<ParquetRowBatch[]> {
  const out: ParquetRowBatch[] = [];
  for await (const batch of readParquetRows(listing, options)) out.push(batch);
  return out;
}

/** Writes a bad file named `b.parquet` between two good ones and returns the directory. */
async function withBadFile(write: (file: string) => void | Promise<void>): Promise<string> {
  const dir = tempDir();
  await good(dir, 'a.parquet');
  await good(dir, 'c.parquet');
  await write(path.join(dir, 'b.parquet'));
  return dir;
}

const cases: [string, (file: string) => void | Promise<void>, string][] = [
  ['a zero-byte file', (file) => writeFileSync(file, ''), 'bad Parquet file b.parquet: empty (0 bytes)'],
  [
    'a text file',
    (file) => writeFileSync(file, 'key,n\nx,1\n'),
    'bad Parquet file b.parquet: not Parquet (no PAR1 magic at the start; 10 bytes)',
  ],
  [
    'random bytes',
    (file) => writeFileSync(file, Buffer.concat([Buffer.from('XXXX'), randomBytes(4096)])),
    'bad Parquet file b.parquet: not Parquet (no PAR1 magic at the start; 4100 bytes)',
  ],
  [
    'a truncated file',
    async (file) => {
      await good(path.dirname(file), 'b.parquet', 50);
      truncateSync(file, 300);
    },
    'bad Parquet file b.parquet: truncated (no PAR1 magic at the end; 300 bytes)',
  ],
  [
    'a file with random bytes after its PAR1 magic',
    (file) => writeFileSync(file, Buffer.concat([Buffer.from('PAR1'), randomBytes(4096), Buffer.from([0x10, 0, 0, 0]), Buffer.from('PAR1')])),
    'bad Parquet file b.parquet: corrupt footer (',
  ],
];

describe('bad Parquet files', () => {
  for (const [what, write, message] of cases) {
    it(`names the file and what is wrong: ${what}`, async () => {
      const dir = await withBadFile(write);
      const error = await listParquetSource(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadParquetFileError);
      expect(error).toBeInstanceOf(TableError);
      expect((error as Error).message).toContain(message);
      expect((error as BadParquetFileError).file).toBe('b.parquet');
      expect((error as BadParquetFileError).context.file).toBe(path.join(dir, 'b.parquet'));
      expect(message).toContain((error as BadParquetFileError).reason.slice(0, 10));
    });

    it(`with skipBadFiles, reports it and reads the other files: ${what}`, async () => {
      const dir = await withBadFile(write);
      const reported: BadParquetFileError[] = [];
      const listing = await listParquetSource(dir, { skipBadFiles: true, onBadFile: (e) => reported.push(e) });
      expect(reported.map((e) => e.file)).toEqual(['b.parquet']);
      expect(reported[0]!.message).toContain(message);
      const read = (await readAll(listing)).flatMap((b) => b.rows.map((r) => r.key));
      expect(read).toEqual([...rows('a.parquet', 5), ...rows('c.parquet', 5)].map((r) => r.key));
    });
  }

  it('names a file whose data pages are corrupt, while reading; skipBadFiles skips the rest of it', async () => {
    const dir = tempDir();
    await good(dir, 'a.parquet');
    await writeParquetFile(path.join(dir, 'b.parquet'), schema, rows('b', 6), { rowGroupSize: 2, codec: 'UNCOMPRESSED' });
    await good(dir, 'c.parquet');
    const listing = await listParquetSource(dir);
    const file = path.join(dir, 'b.parquet');
    const bytes = readFileSync(file);
    // Overwrite the page headers of the second row group (its first column chunk's offset, from the
    // footer) with garbage, keeping the footer valid.
    const group = listing.files[1]!.rowGroupRows.length;
    expect(group).toBe(3);
    const offset = await secondGroupOffset(file);
    bytes.fill(0xff, offset, offset + 24);
    writeFileSync(file, bytes);
    const error = await readAll(listing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadParquetFileError);
    expect((error as Error).message).toMatch(/^bad Parquet file b\.parquet: corrupt data in row group 1 \(/);
    expect((error as BadParquetFileError).context.file).toBe(file);
    const reported: string[] = [];
    const batches = await readAll(listing, { skipBadFiles: true, onBadFile: (e) => reported.push(e.message) });
    expect(reported).toHaveLength(1);
    expect(batches.map((b) => [b.file, b.rowGroup])).toEqual([
      ['a.parquet', 0],
      ['a.parquet', 1],
      ['a.parquet', 2],
      ['b.parquet', 0],
      ['c.parquet', 0],
      ['c.parquet', 1],
      ['c.parquet', 2],
    ]);
  });
});

async function secondGroupOffset(file: string): Promise<number> {
  const { parquetMetadataAsync } = await import('hyparquet');
  const bytes = readFileSync(file);
  const metadata = await parquetMetadataAsync(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const chunk = metadata.row_groups[1]?.columns[0]?.meta_data as { dictionary_page_offset?: bigint; data_page_offset: bigint };
  return Number(chunk.dictionary_page_offset ?? chunk.data_page_offset);
}

describe('checkSourceColumns', () => {
  it('refuses a file whose schema lacks a declared column, naming column and file', async () => {
    const dir = tempDir();
    await good(dir, 'a.parquet');
    await writeParquetFile(path.join(dir, 'b.parquet'), [Columns.string('key')], [{ key: 'x' }]);
    const listing = await listParquetSource(dir);
    expect(() => checkSourceColumns(listing, [Columns.string('key')])).not.toThrow();
    expect(() => checkSourceColumns(listing, [Columns.string('key'), Columns.int64('n')])).toThrow(SourceSchemaError);
    expect(() => checkSourceColumns(listing, [Columns.string('key'), Columns.int64('n')])).toThrow(
      'Declared column "n" is missing from Parquet file b.parquet',
    );
  });

  it('refuses a column of another type, naming both types; nullability does not matter', async () => {
    const dir = tempDir();
    await good(dir, 'a.parquet');
    const listing = await listParquetSource(dir);
    expect(() => checkSourceColumns(listing, [Columns.int32('n')])).toThrow('Declared column "n" is INT32 but Parquet file a.parquet has it as INT64');
    expect(() => checkSourceColumns(listing, [Columns.decimal('key', { precision: 5, scale: 1 })])).toThrow(
      'Declared column "key" is DECIMAL(5, 1) but Parquet file a.parquet has it as STRING',
    );
    expect(() => checkSourceColumns(listing, [Columns.int64('n', { nullable: true })])).not.toThrow();
  });
});
