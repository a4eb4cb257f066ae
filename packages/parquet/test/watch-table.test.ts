import { Columns } from '@weir/avro';
import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { col, compactTable, TableWriter, watchCommits, watchTable } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

const schema = [Columns.string('user'), Columns.int64('n')];

describe('watchTable', () => {
  it('emits the rows of each new write commit, not those before subscription nor compactions', async () => {
    const dir = tempDir();
    const writer = await TableWriter.open(dir, { schema });
    await writer.write([{ user: 'old', n: 0n }]);
    await writer.write([{ user: 'old', n: 1n }]);
    const rows = firstValueFrom(watchTable(dir, { intervalMs: 20 }).pipe(take(3), toArray()));
    await new Promise((resolve) => setTimeout(resolve, 60));
    await compactTable(dir);
    await writer.write([{ user: 'ada', n: 2n }, { user: 'bob', n: 3n }]);
    await writer.write([{ user: 'cy', n: 4n }]);
    expect(await rows).toEqual([
      { user: 'ada', n: 2n },
      { user: 'bob', n: 3n },
      { user: 'cy', n: 4n },
    ]);
  });

  it('waits for a table that does not exist yet, and filters and projects rows', async () => {
    const dir = tempDir();
    const rows = firstValueFrom(watchTable(dir, { intervalMs: 20, filter: col('n').gte(10n), columns: ['n'] }).pipe(take(2), toArray()));
    const writer = await TableWriter.open(dir, { schema });
    await writer.write([{ user: 'a', n: 5n }, { user: 'b', n: 10n }]);
    await writer.write([{ user: 'c', n: 11n }]);
    expect(await rows).toEqual([{ n: 10n }, { n: 11n }]);
  });

  it('replays from a version with afterVersion, and watchCommits emits commits', async () => {
    const dir = tempDir();
    const writer = await TableWriter.open(dir, { schema });
    await writer.write([{ user: 'a', n: 1n }]);
    await writer.write([{ user: 'b', n: 2n }]);
    expect(await firstValueFrom(watchTable(dir, { afterVersion: 0, intervalMs: 20 }).pipe(take(1)))).toEqual({ user: 'b', n: 2n });
    const commits = await firstValueFrom(watchCommits(dir, { afterVersion: -1, intervalMs: 20 }).pipe(take(2), toArray()));
    expect(commits.map((c) => c.version)).toEqual([0, 1]);
  });

  it('stops polling on unsubscribe', async () => {
    const dir = tempDir();
    const seen: unknown[] = [];
    const subscription = watchCommits(dir, { intervalMs: 10 }).subscribe((commit) => seen.push(commit));
    await new Promise((resolve) => setTimeout(resolve, 30));
    subscription.unsubscribe();
    const writer = await TableWriter.open(dir, { schema });
    await writer.write([{ user: 'a', n: 1n }]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual([]);
  });
});
