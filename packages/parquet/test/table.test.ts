import { mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Columns } from '@weir/avro';
import { describe, expect, it } from 'vitest';
import {
  cleanupTempFiles,
  CorruptTableError,
  commitFiles,
  DataFileError,
  openTable,
  TableNotFoundError,
  TableWriter,
  verifyTable,
  writeParquetFile,
} from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

const schema = [Columns.string('user'), Columns.timestampMillis('window_start'), Columns.int64('count')];
const at = (iso: string) => new Date(iso);

async function threeCommits(dir: string) {
  const writer = await TableWriter.open(dir, {
    schema,
    name: 'counts',
    keyColumns: ['user'],
    partitionBy: [{ name: 'window_date', column: 'window_start', transform: 'day' }],
  });
  await writer.write([{ user: 'ada', window_start: at('2026-11-25T10:00:00Z'), count: 1n }], { sources: { 'o:0': { from: '0', to: '1' } } });
  await writer.write(
    [
      { user: 'bob', window_start: at('2026-11-26T10:00:00Z'), count: 2n },
      { user: 'ada', window_start: at('2026-11-25T11:00:00Z'), count: 3n },
    ],
    { sources: { 'o:0': { from: '1', to: '3' } } },
  );
  await writer.write([{ user: 'cy', window_start: at('2026-11-26T12:00:00Z'), count: 4n }], { sources: { 'o:0': { from: '3', to: '4' } } });
  return writer;
}

describe('openTable', () => {
  it('fails on a directory without a table, and on a version the log does not have', async () => {
    const dir = tempDir();
    await expect(openTable(dir)).rejects.toThrow(TableNotFoundError);
    await expect(openTable(dir)).rejects.toThrow(`No table at ${dir}: its _weir_log has no commit`);
    await commitFiles(dir, { schema });
    await expect(openTable(dir, { version: 3 })).rejects.toThrow(`Table ${dir} has no version 3: its latest version is 0`);
  });

  it('writes Hive-style partition directories and records partition values', async () => {
    const dir = tempDir();
    await threeCommits(dir);
    const table = await openTable(dir);
    expect(table.files().map((f) => [f.path, f.partition])).toEqual([
      ['data/window_date=2026-11-25/part-o-0-00000000000000000000-00000000000000000001.parquet', { window_date: '2026-11-25' }],
      ['data/window_date=2026-11-25/part-o-0-00000000000000000001-00000000000000000003.parquet', { window_date: '2026-11-25' }],
      ['data/window_date=2026-11-26/part-o-0-00000000000000000001-00000000000000000003.parquet', { window_date: '2026-11-26' }],
      ['data/window_date=2026-11-26/part-o-0-00000000000000000003-00000000000000000004.parquet', { window_date: '2026-11-26' }],
    ]);
    expect(table.name).toBe('counts');
    expect(table.partitionBy).toEqual([{ name: 'window_date', column: 'window_start', transform: 'day' }]);
  });

  it('travels in time by version', async () => {
    const dir = tempDir();
    await threeCommits(dir);
    const versions = await Promise.all([0, 1, 2].map((version) => openTable(dir, { version })));
    expect(await Promise.all(versions.map((t) => t.count()))).toEqual([1, 3, 4]);
    const rows = await versions[1]!.scan({ columns: ['user', 'count'] }).toArray();
    expect(rows).toEqual([
      { user: 'ada', count: 1n },
      { user: 'ada', count: 3n },
      { user: 'bob', count: 2n },
    ]);
    expect(versions[0]!.sourceOffsets()).toEqual({ 'o:0': '1' });
    expect((await openTable(dir)).sourceOffsets()).toEqual({ 'o:0': '4' });
  });

  it('lists the history of commits', async () => {
    const dir = tempDir();
    await threeCommits(dir);
    const history = (await openTable(dir)).history();
    expect(history.map(({ version, operation, rowsAdded, sources, added }) => ({ version, operation, rowsAdded, sources, files: added.length }))).toEqual([
      { version: 0, operation: 'write', rowsAdded: 1, sources: { 'o:0': { from: '0', to: '1' } }, files: 1 },
      { version: 1, operation: 'write', rowsAdded: 2, sources: { 'o:0': { from: '1', to: '3' } }, files: 2 },
      { version: 2, operation: 'write', rowsAdded: 1, sources: { 'o:0': { from: '3', to: '4' } }, files: 1 },
    ]);
    expect(history[0]!.timestamp).toBeInstanceOf(Date);
  });

  it('ignores uncommitted, truncated, foreign and temp files, and verifyTable reports them', async () => {
    const dir = tempDir();
    await threeCommits(dir);
    const data = path.join(dir, 'data');
    // A complete file no commit lists (a fenced writer's), a truncated one, a foreign one, temp files.
    await writeParquetFile(path.join(data, 'window_date=2026-11-26', 'orphan.parquet'), schema, [
      { user: 'zombie', window_start: at('2026-11-26T00:00:00Z'), count: 99n },
    ]);
    const committed = (await openTable(dir)).files()[0]!.path;
    writeFileSync(path.join(data, 'truncated.parquet'), readFileSync(path.join(dir, committed)).subarray(0, 40));
    writeFileSync(path.join(data, 'README.txt'), 'not a table file');
    writeFileSync(path.join(data, '.tmp-1234.parquet'), 'half');
    writeFileSync(path.join(dir, '_weir_log', '.tmp-5678.json'), '{"version":');
    const table = await openTable(dir);
    expect(table.version).toBe(2);
    expect(await table.count()).toBe(4);
    expect((await table.scan().toArray()).map((r) => r.user)).not.toContain('zombie');
    const report = await table.check();
    expect(report).toMatchObject({
      version: 2,
      ok: true,
      committedFiles: 4,
      missing: [],
      uncommitted: ['data/README.txt', 'data/truncated.parquet', 'data/window_date=2026-11-26/orphan.parquet'],
      temporary: ['_weir_log/.tmp-5678.json', 'data/.tmp-1234.parquet'],
      removed: [],
    });
    expect(report.unreadable).toEqual([{ path: 'data/truncated.parquet', committed: false, reason: expect.any(String) }]);
  });

  it('reports committed files that are missing or damaged, and scanning them fails clearly', async () => {
    const dir = tempDir();
    await threeCommits(dir);
    const [first, second] = (await openTable(dir)).files();
    writeFileSync(path.join(dir, first!.path), 'garbage');
    const { rmSync } = await import('node:fs');
    rmSync(path.join(dir, second!.path));
    const report = await verifyTable(dir);
    expect(report.ok).toBe(false);
    expect(report.missing).toEqual([second!.path]);
    expect(report.unreadable).toEqual([{ path: first!.path, committed: true, reason: `size 7 bytes, committed as ${first!.bytes}` }]);
    await expect((await openTable(dir)).scan().toArray()).rejects.toThrow(DataFileError);
  });

  it('refuses a damaged commit log', async () => {
    const dir = tempDir();
    await threeCommits(dir);
    writeFileSync(path.join(dir, '_weir_log', '00000000000000000003.json'), '{"version": 3, "added": [');
    await expect(openTable(dir)).rejects.toThrow(CorruptTableError);
    // Snapshots before the damage stay readable.
    expect(await (await openTable(dir, { version: 2 })).count()).toBe(4);
  });

  it('cleanupTempFiles removes old temp files only', async () => {
    const dir = tempDir();
    await threeCommits(dir);
    const old = path.join(dir, 'data', '.tmp-old.parquet');
    const fresh = path.join(dir, 'data', '.tmp-fresh.parquet');
    mkdirSync(path.dirname(old), { recursive: true });
    writeFileSync(old, 'x');
    writeFileSync(fresh, 'x');
    const hourAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(old, hourAgo, hourAgo);
    expect(await cleanupTempFiles(dir)).toEqual(['data/.tmp-old.parquet']);
    expect(() => statSync(old)).toThrow();
    expect(statSync(fresh).isFile()).toBe(true);
    expect(await cleanupTempFiles(dir, { olderThanMs: 0 })).toEqual(['data/.tmp-fresh.parquet']);
  });
});
