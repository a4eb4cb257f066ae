import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Columns } from '@weir/avro';
import type { OutboxRecord, SinkPartitionWriter } from '@weir/core';
import { afterEach, describe, expect, it } from 'vitest';
import { openTable, parquetSink, TableError } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

/*
 * Real faults, no mocked file system. Tests may run as root, which ignores permission bits, so
 * an unwritable directory is made with the immutable attribute (`chattr +i`: even root cannot
 * create a file in it) when running as root, and with `chmod 0555` otherwise. A full disk is a
 * real tmpfs of a few hundred KiB mounted on the table directory (needs root and CAP_SYS_ADMIN;
 * skipped, and said so, where mounting is not allowed).
 */

const isRoot = process.getuid?.() === 0;

function tryRun(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether this machine lets the test mount a tmpfs (probed once, with a real mount). */
const canMount = (() => {
  if (!isRoot) return false;
  const probe = tempDir('weir-mount-probe-', 'file');
  const ok = tryRun('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]);
  if (ok) tryRun('umount', [probe]);
  return ok;
})();

const undo: (() => void)[] = [];
afterEach(() => {
  for (const fn of undo.splice(0).reverse()) fn();
});

/** Makes `dir` unwritable for this process, for real; returns the repair. */
function makeUnwritable(dir: string): () => void {
  if (isRoot) {
    execFileSync('chattr', ['+i', dir]);
    const repair = () => void tryRun('chattr', ['-i', dir]);
    undo.push(repair);
    return repair;
  }
  chmodSync(dir, 0o555);
  const repair = () => chmodSync(dir, 0o755);
  undo.push(repair);
  return repair;
}

interface Event {
  text: string;
}

const SOURCE = 'app-events-outbox:0';

function writerFor(dir: string): SinkPartitionWriter<string, Event> {
  const sink = parquetSink<string, Event>(dir, {
    name: 'events',
    schema: [Columns.string('key'), Columns.string('text')],
    toRow: (key, value) => ({ key, text: value.text }),
    // Plain text compresses to nothing: store it as is, so bytes reach the disk.
    codec: 'UNCOMPRESSED',
    roll: { intervalMs: 3_600_000 },
  });
  return sink.openPartition({ applicationId: 'app', outboxTopic: 'app-events-outbox', partition: 0 });
}

/** The outbox: records keep their offsets, and a restart reads them again from any offset. */
function outbox(count: number, textBytes = 10): OutboxRecord<string, Event>[] {
  return Array.from({ length: count }, (_, i) => ({
    offset: BigInt(i),
    key: `k${String(i).padStart(5, '0')}`,
    // Different texts (no dictionary), so the file's size follows the rows'.
    value: { text: `${i}-`.padEnd(textBytes, String.fromCharCode(97 + (i % 26))) },
    timestamp: 1_000 + i,
  }));
}

async function expectExactly(dir: string, records: OutboxRecord<string, Event>[]) {
  const table = await openTable(dir);
  const rows = await table.scan({ orderBy: [{ column: 'key' }] }).toArray();
  expect(rows).toEqual(records.map((r) => ({ key: r.key, text: r.value.text })));
  expect(table.sourceOffsets()).toEqual({ [SOURCE]: String(records.length) });
}

describe('parquet sink on a faulty disk', () => {
  it('an unwritable data directory stops the sink with an error naming the table; after repair a restart loses and duplicates nothing', async () => {
    const dir = tempDir();
    const records = outbox(30);
    const first = writerFor(dir);
    expect(await first.recover()).toBe(0n);
    await first.write(records.slice(0, 10));
    await first.commit(10n);

    const repair = makeUnwritable(path.join(dir, 'data'));
    await first.write(records.slice(10, 20));
    const error = await first.commit(20n).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TableError);
    const message = (error as Error).message;
    expect(message).toContain(`parquet sink events cannot write table ${path.resolve(dir)} (`);
    expect(message).toMatch(isRoot ? /EPERM: operation not permitted/ : /EACCES: permission denied/);
    expect(message).toContain('outbox app-events-outbox:0 offsets 10..20 were not committed');
    // The writer stays stopped: it asks for a commit (so the runtime hears of it) and keeps failing.
    expect(first.shouldCommit(0)).toBe(true);
    await first.write(records.slice(20, 30));
    await expect(first.commit(30n)).rejects.toBe(error);
    await first.close();

    repair();
    // A restart: recovery reads the log, the outbox is read again from there.
    const second = writerFor(dir);
    expect(await second.recover()).toBe(10n);
    await second.write(records.slice(10));
    await second.commit(30n);
    await expectExactly(dir, records);
  });

  it('an unwritable table directory (no new log commit) stops the sink the same way', async () => {
    const dir = tempDir();
    const records = outbox(20);
    const first = writerFor(dir);
    await first.recover();
    await first.write(records.slice(0, 10));
    await first.commit(10n);
    const repair = makeUnwritable(path.join(dir, '_weir_log'));
    await first.write(records.slice(10));
    await expect(first.commit(20n)).rejects.toThrow(`cannot write table ${path.resolve(dir)}`);
    repair();
    const second = writerFor(dir);
    expect(await second.recover()).toBe(10n);
    await second.write(records.slice(10));
    await second.commit(20n);
    await expectExactly(dir, records);
  });

  it('a table path whose parent is a regular file stops the sink, naming the path', async () => {
    const parent = tempDir();
    writeFileSync(path.join(parent, 'not-a-dir'), 'x');
    const dir = path.join(parent, 'not-a-dir', 'table');
    const writer = writerFor(dir);
    // Recovery does not throw (see parquetSink): the failure is reported by commit(), which is
    // where the runtime stops the app, and nothing is written.
    await writer.recover();
    expect(writer.shouldCommit(0)).toBe(true);
    await writer.write(outbox(3));
    await expect(writer.commit(3n)).rejects.toThrow(/^parquet sink events cannot open table .*not-a-dir\/table \(ENOTDIR: not a directory/);
  });

  it('a batch handed again after write() failed half-way adds no row twice', async () => {
    const dir = tempDir();
    let poison = true;
    const sink = parquetSink<string, Event>(dir, {
      name: 'events',
      schema: [Columns.string('key'), Columns.string('text')],
      toRow: (key, value) => {
        if (poison && key === 'k00005') throw new Error('transient');
        return { key, text: value.text };
      },
    });
    const writer = sink.openPartition({ applicationId: 'app', outboxTopic: 'app-events-outbox', partition: 0 });
    await writer.recover();
    const records = outbox(10);
    await expect(writer.write(records)).rejects.toThrow('transient');
    // The runtime did not advance: it hands the same batch again (as a consumer retry does).
    poison = false;
    await writer.write(records);
    await writer.commit(10n);
    await expectExactly(dir, records);
  });

  it.skipIf(!canMount)('a full disk (a real 256 KiB tmpfs) stops the sink with ENOSPC; after growing it a restart is exact', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]);
    undo.push(() => void tryRun('umount', [dir]));
    // 2_000 rows of 200 bytes: about 400 KB of Parquet, more than the disk holds.
    const records = outbox(2_000, 200);
    const first = writerFor(dir);
    await first.recover();
    await first.write(records.slice(0, 100));
    await first.commit(100n);
    await first.write(records.slice(100));
    const error = await first.commit(2_000n).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      new RegExp(`^parquet sink events cannot write table ${path.resolve(dir)} \\(ENOSPC: no space left on device.*offsets 100\\.\\.2000 were not committed`),
    );
    expect(((error as Error).cause as { code?: string }).code).toBe('ENOSPC');
    await first.close();

    // The repair: more space, keeping what the disk holds (the committed files and the log).
    execFileSync('mount', ['-o', 'remount,size=16m', dir]);
    const second = writerFor(dir);
    expect(await second.recover()).toBe(100n);
    await second.write(records.slice(100));
    await second.commit(2_000n);
    await expectExactly(dir, records);
  });
});
