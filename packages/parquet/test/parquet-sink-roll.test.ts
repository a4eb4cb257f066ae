import { Columns } from '@weir/avro';
import type { OutboxRecord, SinkPartitionWriter } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { estimateBytes } from '../src/internal/sink-roll.js';
import { openTable, parquetSink, type RollPolicy } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

interface Event {
  page: string;
  n: number;
  /** The row's `at` column; default: the record timestamp. */
  at?: number;
}

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);

function writerFor(dir: string, roll: RollPolicy): SinkPartitionWriter<string, Event> {
  const sink = parquetSink<string, Event>(dir, {
    name: 'events',
    schema: [Columns.string('key'), Columns.string('page'), Columns.int32('n'), Columns.timestampMillis('at')],
    toRow: (key, value, timestamp) => ({ key, page: value.page, n: value.n, at: new Date(value.at ?? timestamp) }),
    roll,
  });
  return sink.openPartition({ applicationId: 'app', outboxTopic: 'app-events-outbox', partition: 0 });
}

function records(count: number, timestampOf: (i: number) => number, page = (i: number) => `page-${i}`): OutboxRecord<string, Event>[] {
  return Array.from({ length: count }, (_, i) => ({
    offset: BigInt(i),
    key: `k${i % 7}`,
    value: { page: page(i), n: i },
    timestamp: timestampOf(i),
  }));
}

async function filesOf(dir: string) {
  const table = await openTable(dir);
  return table.files().map((f) => ({ rows: f.rows, sources: f.sources['app-events-outbox:0'] }));
}

describe('parquet sink file roll', () => {
  it('rolls by estimated bytes: no file holds more than roll.bytes of rows, every row kept', async () => {
    const dir = tempDir();
    const writer = writerFor(dir, { bytes: 2_000, intervalMs: 3_600_000 });
    await writer.recover();
    // Each row: key 2 + page 100 + n 8 + at 8 = 118 estimated bytes: 17 rows reach 2_006 bytes.
    const input = records(100, (i) => T0 + i, (i) => `p${String(i).padStart(99, '0')}`);
    expect(estimateBytes({ key: 'k1', page: input[0]!.value.page, n: 0, at: new Date(T0) })).toBe(118);
    await writer.write(input);
    // The batch filled five files inside write(); the rest waits for the next roll.
    expect((await filesOf(dir)).map((f) => f.rows)).toEqual([17, 17, 17, 17, 17]);
    expect(writer.shouldCommit(Date.now())).toBe(false);
    await writer.commit(100n);
    const files = await filesOf(dir);
    expect(files.map((f) => f.rows)).toEqual([17, 17, 17, 17, 17, 15]);
    // The files' offset ranges tile [0, 100) exactly.
    expect(files.map((f) => f.sources)).toEqual(
      [0, 17, 34, 51, 68, 85].map((from, i, all) => [{ from: String(from), to: String(all[i + 1] ?? 100) }]),
    );
    const table = await openTable(dir);
    expect(await table.scan({ columns: ['n'], orderBy: [{ column: 'n' }] }).toArray()).toEqual(
      Array.from({ length: 100 }, (_, n) => ({ n })),
    );
  });

  it('rolls by event time: a file never straddles an epoch-aligned hour of record timestamps', async () => {
    const dir = tempDir();
    const writer = writerFor(dir, { eventTimeMs: HOUR, intervalMs: 3_600_000 });
    await writer.recover();
    // 10:00 .. 12:30 every 10 minutes (16 records), one batch.
    const input = records(16, (i) => T0 + i * 10 * 60_000);
    await writer.write(input);
    // The 10:xx and 11:xx rows were each committed when a row of the next hour arrived.
    expect((await filesOf(dir)).map((f) => f.rows)).toEqual([6, 6]);
    await writer.commit(16n);
    const table = await openTable(dir);
    const files = table.files();
    expect(files.map((f) => f.rows)).toEqual([6, 6, 4]);
    for (const file of files) {
      const min = new Date(file.stats.at!.min as string).getTime();
      const max = new Date(file.stats.at!.max as string).getTime();
      expect(Math.floor(min / HOUR)).toBe(Math.floor(max / HOUR));
    }
    expect(files.map((f) => f.stats.at!.min)).toEqual(['2026-11-26T10:00:00.000Z', '2026-11-26T11:00:00.000Z', '2026-11-26T12:00:00.000Z']);
  });

  it('rolls by event time of a column when roll.eventTimeColumn names one, not by record timestamps', async () => {
    const dir = tempDir();
    const writer = writerFor(dir, { eventTimeMs: HOUR, eventTimeColumn: 'at', intervalMs: 3_600_000 });
    await writer.recover();
    // Record timestamps span three hours; the rows' `at` are 10:59:59.999 (twice) then 11:00:00.000.
    const input = records(3, (i) => T0 + i * HOUR).map((r, i) => ({ ...r, value: { ...r.value, at: T0 + HOUR - 1 + (i === 2 ? 1 : 0) } }));
    await writer.write(input);
    await writer.commit(3n);
    expect((await filesOf(dir)).map((f) => f.rows)).toEqual([2, 1]);
  });

  it('rolls by rows at the exact record, and by wall time through shouldCommit', async () => {
    const dir = tempDir();
    const writer = writerFor(dir, { rows: 4, intervalMs: 1_000 });
    await writer.recover();
    await writer.write(records(10, (i) => T0 + i));
    expect((await filesOf(dir)).map((f) => f.rows)).toEqual([4, 4]);
    expect(writer.shouldCommit(Date.now())).toBe(false);
    expect(writer.shouldCommit(Date.now() + 1_000)).toBe(true);
  });

  it('refuses a roll policy that would never roll', () => {
    expect(() => writerFor(tempDir(), { bytes: 0 })).toThrow('roll.bytes must be a positive number, got 0');
    expect(() => writerFor(tempDir(), { rows: -1 })).toThrow('roll.rows must be a positive number, got -1');
  });
});
