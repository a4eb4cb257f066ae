import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Columns, IncompatibleSchemaError } from '@weir/avro';
import { describe, expect, it } from 'vitest';
import {
  AlreadyCommittedError,
  type Commit,
  CommitConflictError,
  ContinuityError,
  commitFiles,
  openTable,
  TableNotFoundError,
  TableWriter,
  WEIR_VERSION,
} from '../src/index.js';
import { tryCreateCommit } from '../src/internal/commit-log.js';
import { tempDir } from './helpers/tmp.js';

const schema = [Columns.string('user'), Columns.int64('count')];
const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ user: `u${(from + i) % 4}`, count: BigInt(from + i) }));

function readCommitFile(dir: string, version: number): Commit {
  return JSON.parse(readFileSync(path.join(dir, '_weir_log', `${String(version).padStart(20, '0')}.json`), 'utf8'));
}

describe('commitFiles', () => {
  it('needs a schema for the first commit', async () => {
    await expect(commitFiles(tempDir(), {})).rejects.toThrow(TableNotFoundError);
  });

  it('writes numbered JSON commits with every field of the format', async () => {
    const dir = tempDir();
    const writer = await TableWriter.open(dir, { schema, name: 'counts', writer: 'task-0_3' });
    await writer.write(rows(5), { sources: { 'outbox:3': { from: '100', to: '105' } } });
    expect(readdirSync(path.join(dir, '_weir_log'))).toEqual(['00000000000000000000.json']);
    const commit = readCommitFile(dir, 0);
    expect(commit).toEqual({
      formatVersion: 1,
      version: 0,
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      operation: 'write',
      weirVersion: WEIR_VERSION,
      name: 'counts',
      schema: { version: 1, columns: schema },
      partitionBy: [],
      added: [
        {
          path: 'data/part-outbox-3-00000000000000000100-00000000000000000105.parquet',
          rows: 5,
          bytes: expect.any(Number),
          schemaVersion: 1,
          partition: {},
          stats: { user: { nullCount: 0, min: 'u0', max: 'u3' }, count: { nullCount: 0, min: '0', max: '4' } },
          sources: { 'outbox:3': [{ from: '100', to: '105' }] },
        },
      ],
      removed: [],
      sources: { 'outbox:3': { from: '100', to: '105' } },
      writer: 'task-0_3',
    });
  });

  it('never lets two commits take the same number', async () => {
    const dir = tempDir();
    await commitFiles(dir, { schema });
    const commit = readCommitFile(dir, 0);
    expect(await tryCreateCommit(dir, { ...commit, version: 1 })).toBe(true);
    expect(await tryCreateCommit(dir, { ...commit, version: 1, writer: 'loser' })).toBe(false);
    expect(readCommitFile(dir, 1).writer).toBeUndefined();
    // The loser's temp file is gone: only finished commits are in the log.
    expect(readdirSync(path.join(dir, '_weir_log'))).toHaveLength(2);
  });

  it('lets racing writers each win one number: losers re-read the log and retry', async () => {
    const dir = tempDir();
    await commitFiles(dir, { schema });
    const writers = await Promise.all(Array.from({ length: 8 }, () => TableWriter.open(dir, { schema })));
    // All eight start from version 0 and race for version 1; seven lose and retry.
    const commits = await Promise.all(
      writers.map((writer, i) => writer.write(rows(3, i * 3), { sources: { [`outbox:${i}`]: { from: '0', to: '3' } } })),
    );
    expect(commits.map((c) => c.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const table = await openTable(dir);
    expect(table.version).toBe(8);
    expect(await table.count()).toBe(24);
  });

  it('re-checks continuity after losing a race: two writers of one partition, one wins', async () => {
    const dir = tempDir();
    const [a, b] = await Promise.all([TableWriter.open(dir, { schema }), TableWriter.open(dir, { schema })]);
    const results = await Promise.allSettled([
      a.write(rows(10), { sources: { 'outbox:0': { from: '0', to: '10' } } }),
      b.write(rows(20), { sources: { 'outbox:0': { from: '0', to: '20' } } }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const aWon = results[0]!.status === 'fulfilled';
    const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    // b's 0..20 cannot follow a's 0..10; a's 0..10 lies inside b's committed 0..20.
    expect(failure.reason).toBeInstanceOf(aWon ? ContinuityError : AlreadyCommittedError);
    const table = await openTable(dir);
    expect(table.version).toBe(0);
    expect(await table.count()).toBe(aWon ? 10 : 20);
  });

  it('rejects a commit whose offsets do not continue the last one (gap, overlap, zombie)', async () => {
    const dir = tempDir();
    const owner = await TableWriter.open(dir, { schema });
    await owner.write(rows(100), { sources: { 'outbox:0': { from: '0', to: '100' } } });
    const zombie = await TableWriter.open(dir, { schema });
    // The partition moves to a new owner, which commits 100..200.
    await owner.write(rows(100, 100), { sources: { 'outbox:0': { from: '100', to: '200' } } });
    await expect(zombie.write(rows(150, 100), { sources: { 'outbox:0': { from: '100', to: '250' } } })).rejects.toThrow(
      `Commit to table ${dir} breaks source continuity: outbox:0 from 100 does not continue the committed position 200 (commit 1)`,
    );
    // Offsets inside the committed range are in the table already (written by the new owner).
    await expect(zombie.write(rows(80, 100), { sources: { 'outbox:0': { from: '100', to: '180' } } })).rejects.toThrow(
      AlreadyCommittedError,
    );
    await expect(commitFiles(dir, { sources: { 'outbox:0': { from: '250', to: '300' } } })).rejects.toThrow(
      `Commit to table ${dir} breaks source continuity: outbox:0 from 250 does not continue the committed position 200 (commit 1)`,
    );
    await expect(commitFiles(dir, { sources: { 'outbox:0': { from: '150', to: '300' } } })).rejects.toThrow(ContinuityError);
    const table = await openTable(dir);
    expect(table.version).toBe(1);
    expect(table.sourceOffsets()).toEqual({ 'outbox:0': '200' });
  });

  it('rejects a replay of committed offsets as already committed, before writing any file', async () => {
    const dir = tempDir();
    const writer = await TableWriter.open(dir, { schema });
    await writer.write(rows(10), { sources: { 'outbox:0': { from: '0', to: '10' }, 'outbox:1': { from: '5', to: '7' } } });
    await writer.write(rows(10), { sources: { 'outbox:0': { from: '10', to: '20' } } });
    const replay = await TableWriter.open(dir, { schema });
    const error = await replay
      .write(rows(10), { sources: { 'outbox:0': { from: '0', to: '10' }, 'outbox:1': { from: '5', to: '7' } } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlreadyCommittedError);
    expect((error as AlreadyCommittedError).committedVersion).toBe(0);
    expect((error as Error).message).toBe(
      `Source offsets already committed to table ${dir} (commit 0): outbox:0 0..10, outbox:1 5..7`,
    );
    expect(readdirSync(path.join(dir, 'data'))).toHaveLength(2);
    // A commit mixing committed and new partitions is no replay: it is refused as broken.
    await expect(
      commitFiles(dir, { sources: { 'outbox:0': { from: '0', to: '10' }, 'outbox:2': { from: '0', to: '1' } } }),
    ).rejects.toThrow(ContinuityError);
  });

  it('advances offsets with an empty batch, and checks offset syntax', async () => {
    const dir = tempDir();
    const writer = await TableWriter.open(dir, { schema });
    const commit = await writer.write([], { sources: { 'outbox:0': { from: '0', to: '3' } } });
    expect(commit.added).toEqual([]);
    expect(await writer.sourceOffsets()).toEqual({ 'outbox:0': '3' });
    await expect(commitFiles(dir, { sources: { 'outbox:0': { from: '3', to: '2' } } })).rejects.toThrow(
      'Source outbox:0: range ends before it starts (from 3, to 2)',
    );
    await expect(commitFiles(dir, { sources: { outbox: { from: '3', to: '4' } } })).rejects.toThrow(
      'Source key "outbox" is not "<topic>:<partition>"',
    );
  });

  it('records a compatible schema change as a new schema version and refuses an incompatible one', async () => {
    const dir = tempDir();
    await commitFiles(dir, { schema });
    const v2 = [...schema, Columns.string('region', { nullable: true })];
    const commit = await commitFiles(dir, { schema: v2 });
    expect(commit.operation).toBe('schema');
    expect(commit.schema).toEqual({ version: 2, columns: v2 });
    expect((await commitFiles(dir, { schema: v2 })).schema.version).toBe(2);
    await expect(commitFiles(dir, { schema: [Columns.string('user'), Columns.string('count')] })).rejects.toThrow(
      IncompatibleSchemaError,
    );
  });

  it('refuses to remove a file the table does not have', async () => {
    const dir = tempDir();
    await commitFiles(dir, { schema });
    const error = await commitFiles(dir, { remove: ['data/nope.parquet'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommitConflictError);
    expect((error as Error).message).toBe(`Cannot remove data/nope.parquet from table ${dir}: it is not in version 0`);
  });
});
