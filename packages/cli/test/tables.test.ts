import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { openTable } from '@weir/parquet';
import { describe, expect, it } from 'vitest';
import { tempDir, weir, writeFile } from './helpers/cli.js';
import { countsTable } from './helpers/table.js';

describe('weir history', () => {
  it('lists every commit: version, time, operation, files and rows added and removed, source offsets', async () => {
    const table = await countsTable(tempDir());
    const { code, stdout, stderr } = await weir(['history', table]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^version\s+time\s+operation\s+files_added\s+files_removed\s+rows_added\s+rows_removed\s+sources$/);
    expect(lines[2]).toMatch(/^\s+0\s+\d{4}-\d\d-\d\dT[\d:.]+Z\s+write\s+1\s+0\s+3\s+0\s+counts-outbox:0 \[0, 3\)$/);
    expect(lines[3]).toMatch(/^\s+1\s+\S+\s+write\s+1\s+0\s+3\s+0\s+counts-outbox:0 \[3, 6\)$/);
    expect(lines[4]).toBe('(2 rows)');
  });

  it('prints json with the source offsets as objects', async () => {
    const table = await countsTable(tempDir());
    const { code, stdout } = await weir(['history', table, '--format', 'json']);
    expect(code).toBe(0);
    const history = JSON.parse(stdout);
    expect(history).toHaveLength(2);
    expect(history[1]).toMatchObject({
      version: 1,
      operation: 'write',
      files_added: 1,
      files_removed: 0,
      rows_added: 3,
      rows_removed: 0,
      sources: { 'counts-outbox:0': { from: '3', to: '6' } },
    });
    expect(new Date(history[1].time).toISOString()).toBe(history[1].time);
  });

  it('names a wrong path, exit 2', async () => {
    expect(await weir(['history', '/nonexistent/table'])).toEqual({ code: 2, stdout: '', stderr: 'weir: no such table directory: /nonexistent/table\n' });
  });
});

describe('weir tables', () => {
  it('finds the tables under a directory: name, path, version, files, rows', async () => {
    const root = tempDir();
    const counts = await countsTable(path.join(root, 'warehouse'));
    const other = await countsTable(path.join(root, 'warehouse', 'nested', 'deeper'), 'other');
    mkdirSync(path.join(root, 'not-a-table', 'data'), { recursive: true });
    writeFile(root, 'notes.txt', 'not a table either');
    const { code, stdout, stderr } = await weir(['tables', root, '--format', 'json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      { name: 'counts', path: counts, version: 1, files: 2, rows: 6 },
      { name: 'other', path: other, version: 1, files: 2, rows: 6 },
    ]);
    const table = await weir(['tables', root]);
    expect(table.stdout).toContain('name    path');
    expect(table.stdout).toMatch(/counts\s+\S+warehouse\/counts\s+1\s+2\s+6/);
    expect(table.stdout).toContain('(2 rows)');
  });

  it('prints just the header when there is no table', async () => {
    const { code, stdout } = await weir(['tables', tempDir(), '--format', 'csv']);
    expect(code).toBe(0);
    expect(stdout).toBe('name,path,version,files,rows\n');
  });

  it('names a wrong path, exit 2', async () => {
    expect(await weir(['tables', '/nonexistent/dir'])).toEqual({ code: 2, stdout: '', stderr: 'weir: no such directory: /nonexistent/dir\n' });
  });
});

describe('weir compact', () => {
  it('merges the small files into one commit and says what it did; queries see the same rows', async () => {
    const table = await countsTable(tempDir());
    const before = await weir(['query', table, '--order-by', 'user,count', '--format', 'csv']);
    const { code, stdout, stderr } = await weir(['compact', table]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`${table}: compacted 2 files (6 rows) into 1 file (6 rows) in version 2`);
    expect(lines[1]).toMatch(/^ {2}added {4}data\/\S+\.parquet \(6 rows, \d+ bytes\)$/);
    expect(lines.filter((l) => l.startsWith('  removed  data/'))).toHaveLength(2);
    expect(lines.at(-2)).toBe('  removed files stay on disk for the retention period (3600000 ms), for readers of older versions');
    expect(lines.at(-1)).toBe('  vacuumed 0 files');
    const snapshot = await openTable(table);
    expect(snapshot.version).toBe(2);
    expect(snapshot.files()).toHaveLength(1);
    expect((await weir(['query', table, '--order-by', 'user,count', '--format', 'csv'])).stdout).toBe(before.stdout);
    expect((await weir(['history', table, '--format', 'json'])).stdout).toContain('"operation":"compact"');
  });

  it('says when there is nothing to compact', async () => {
    const table = await countsTable(tempDir());
    await weir(['compact', table]);
    const { code, stdout } = await weir(['compact', table]);
    expect(code).toBe(0);
    expect(stdout).toBe(`${table}: nothing to compact (no partition has 2 or more small files)\n  vacuumed 0 files\n`);
  });

  it('deletes the removed files at once with --retention-ms 0', async () => {
    const table = await countsTable(tempDir());
    const { code, stdout } = await weir(['compact', table, '--retention-ms', '0']);
    expect(code).toBe(0);
    const removed = stdout
      .split('\n')
      .filter((l) => l.startsWith('  removed  '))
      .map((l) => l.slice('  removed  '.length));
    expect(removed).toHaveLength(2);
    const vacuumed = stdout.split('\n').find((l) => l.startsWith('  vacuumed '));
    expect(vacuumed?.replace(/^ {2}vacuumed 2 files: /, '').split(', ').sort()).toEqual([...removed].sort());
    expect(stdout).not.toContain('stay on disk');
    for (const file of removed) expect(existsSync(path.join(table, file))).toBe(false);
  });

  it('names a wrong path, exit 2', async () => {
    expect(await weir(['compact', '/nonexistent/table'])).toEqual({ code: 2, stdout: '', stderr: 'weir: no such table directory: /nonexistent/table\n' });
  });
});
