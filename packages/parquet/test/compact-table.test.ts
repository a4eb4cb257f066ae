import { existsSync } from 'node:fs';
import path from 'node:path';
import { Columns } from '@weir/avro';
import { describe, expect, it } from 'vitest';
import { commitFiles, compactTable, mergeRanges, openTable, TableWriter, vacuum, verifyTable } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

const schema = [Columns.string('user'), Columns.int64('n')];
const batch = (from: number, size: number) => Array.from({ length: size }, (_, i) => ({ user: `u${(from + i) % 3}`, n: BigInt(from + i) }));

async function append(writer: TableWriter, from: number, size: number) {
  return writer.write(batch(from, size), { sources: { 'outbox:0': { from: String(from), to: String(from + size) } } });
}

describe('compactTable', () => {
  it('merges small files in one commit that keeps the rows and the source offsets they cover', async () => {
    const dir = tempDir();
    const writer = await TableWriter.open(dir, { schema });
    for (let i = 0; i < 5; i++) await append(writer, i * 10, 10);
    const before = await openTable(dir);
    const result = await compactTable(dir, { targetFileBytes: 1 << 20 });
    expect(result.removed).toHaveLength(5);
    expect(result.added).toHaveLength(1);
    expect(result.commit?.operation).toBe('compact');
    expect(result.commit?.sources).toEqual({});
    expect(result.added[0]!.sources).toEqual({ 'outbox:0': [{ from: '0', to: '50' }] });
    expect(result.added[0]!.path).toMatch(/^data\/compact-[0-9a-f-]{36}\.parquet$/);
    const after = await openTable(dir);
    expect(after.files()).toHaveLength(1);
    expect(await after.scan().toArray()).toEqual(await before.scan().toArray());
    expect(after.sourceOffsets()).toEqual({ 'outbox:0': '50' });
    // Continuity is untouched: the sink goes on where it was.
    await append(writer, 50, 10);
    expect(await (await openTable(dir)).count()).toBe(60);
  });

  it('keeps removed files on disk for readers until the retention has passed', async () => {
    const dir = tempDir();
    const writer = await TableWriter.open(dir, { schema });
    for (let i = 0; i < 3; i++) await append(writer, i * 10, 10);
    const reader = await openTable(dir);
    const { removed } = await compactTable(dir);
    // A reader of the old snapshot still reads the old files.
    expect(await reader.count()).toBe(30);
    expect(await reader.scan().toArray()).toHaveLength(30);
    expect((await verifyTable(dir)).removed).toEqual(removed);
    expect((await vacuum(dir)).removed).toEqual([]);
    expect(removed.every((file) => existsSync(path.join(dir, file)))).toBe(true);
    const later = await vacuum(dir, { now: Date.now() + 3_600_001 });
    expect(later.removed.sort()).toEqual([...removed].sort());
    expect(removed.some((file) => existsSync(path.join(dir, file)))).toBe(false);
    expect(await (await openTable(dir)).count()).toBe(30);
  });

  it('is safe while a writer appends: both commits land, no row lost or doubled', async () => {
    const dir = tempDir();
    const writer = await TableWriter.open(dir, { schema });
    for (let i = 0; i < 6; i++) await append(writer, i * 10, 10);
    const appends = (async () => {
      for (let i = 6; i < 16; i++) await append(writer, i * 10, 10);
    })();
    const compactions = (async () => {
      for (let i = 0; i < 3; i++) await compactTable(dir, { minFiles: 2 });
    })();
    await Promise.all([appends, compactions]);
    const table = await openTable(dir);
    const ns = (await table.scan({ columns: ['n'] }).toArray()).map((r) => r.n as bigint).sort((a, b) => (a < b ? -1 : 1));
    expect(ns).toEqual(Array.from({ length: 160 }, (_, i) => BigInt(i)));
    expect(table.sourceOffsets()).toEqual({ 'outbox:0': '160' });
    const operations = table.history().map((h) => h.operation);
    // Interleaved: a compaction landed between appends.
    expect(operations.slice(operations.indexOf('compact')).includes('write')).toBe(true);
    expect((await verifyTable(dir)).ok).toBe(true);
  });

  it('two concurrent compactions never remove a file twice', async () => {
    const dir = tempDir();
    const writer = await TableWriter.open(dir, { schema });
    for (let i = 0; i < 8; i++) await append(writer, i * 10, 10);
    await Promise.all([compactTable(dir), compactTable(dir)]);
    const table = await openTable(dir);
    expect(await table.count()).toBe(80);
    const ns = (await table.scan({ columns: ['n'] }).toArray()).map((r) => r.n);
    expect(new Set(ns).size).toBe(80);
    expect((await verifyTable(dir)).uncommitted).toEqual([]);
  });

  it('does nothing when no partition has enough small files', async () => {
    const dir = tempDir();
    await commitFiles(dir, { schema });
    const writer = await TableWriter.open(dir, { schema });
    await append(writer, 0, 10);
    expect(await compactTable(dir)).toEqual({ removed: [], added: [], vacuumed: [] });
  });

  it('merges source ranges that touch', () => {
    const file = (sources: Record<string, { from: string; to: string }[]>) => ({
      path: 'data/x.parquet', rows: 0, bytes: 0, schemaVersion: 1, partition: {}, stats: {}, sources,
    });
    expect(
      mergeRanges([
        file({ 'a:0': [{ from: '10', to: '20' }] }),
        file({ 'a:0': [{ from: '0', to: '10' }], 'b:1': [{ from: '5', to: '6' }] }),
        file({ 'a:0': [{ from: '30', to: '40' }] }),
      ]),
    ).toEqual({ 'a:0': [{ from: '0', to: '20' }, { from: '30', to: '40' }], 'b:1': [{ from: '5', to: '6' }] });
  });
});
