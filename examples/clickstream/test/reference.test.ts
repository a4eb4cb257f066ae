import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Serdes } from '@weir/core';
import { TestDriver } from '@weir/core/testing';
import { openTable } from '@weir/parquet';
import { afterEach, describe, expect, it } from 'vitest';
import { generateClickstream } from '../src/generator.js';
import { tickRecords } from '../src/produce.js';
import { expectedTables, PerMinuteCount, tableLine } from '../src/reference.js';
import { clickstreamTopology, tableDirs } from '../src/topology.js';

const END = Date.parse('2026-11-26T10:00:00Z');

async function tableLines(dir: string, key: string, start: string, end: string): Promise<string[]> {
  const rows = await (await openTable(dir)).scan().toArray();
  return rows.map((r) => tableLine(r[key] as string, (r[start] as Date).getTime(), (r[end] as Date).getTime(), r.views as bigint)).sort();
}

describe('expectedTables (the demo reference)', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('equals what the topology writes to its tables in the TestDriver, late views included', async () => {
    // Small and dense in delays, so that late views, out-of-order views and re-emitted sessions all occur.
    const stream = generateClickstream({
      endMs: END,
      events: 4_000,
      users: 150,
      pages: 12,
      spanMs: 20 * 60_000,
      seed: 3,
      lateShare: 0.03,
      outOfOrderShare: 0.2,
      lateDelayMs: [75_000, 400_000],
    });
    const dir = await mkdtemp(path.join(tmpdir(), 'clickstream-reference-'));
    dirs.push(dir);
    const driver = new TestDriver(clickstreamTopology({ tablesDir: dir }), { applicationId: 'reference-test' });
    try {
      // The TestDriver runs one task per sub-topology and feeds repartitioned records straight
      // back: one partition everywhere, in arrival order.
      const input = driver.createInputTopic('page-views', Serdes.String(), Serdes.String());
      for (let i = 0; i < stream.count; i++) {
        const { key, value, timestamp } = stream.record(i);
        input.pipeInput(key, value, timestamp);
      }
      for (const tick of tickRecords(stream, { partitions: 1, repartitionPartitions: 1 })) input.pipeInput(tick.key, tick.value, tick.timestamp);
      await driver.flushExternalSinks();
      const expected = expectedTables(stream, { partitions: 1 });
      const dropped = driver.droppedRecords();

      expect(expected.pages.lateDropped).toBeGreaterThan(50);
      expect(expected.sessions.lateDropped).toBeGreaterThan(0);
      const tables = tableDirs(dir);
      expect(await tableLines(tables.pages, 'page', 'window_start', 'window_end')).toEqual(expected.pages.lines);
      expect(await tableLines(tables.sessions, 'user', 'session_start', 'session_end')).toEqual(expected.sessions.lines);
      expect(dropped.late).toBe(expected.pages.lateDropped + expected.sessions.lateDropped);
    } finally {
      driver.close();
    }
  });
});

describe('PerMinuteCount (the per-page count replayed over the repartition topic)', () => {
  const minute = Date.parse('2026-11-26T10:00:00Z');

  it('keeps stream time per partition: a view behind another partition is not late, one behind its own is', () => {
    const count = new PerMinuteCount();
    count.add(0, '/a', minute + 5_000);
    // Partition 1 runs 75 s ahead: the first window has closed there, not on partition 0.
    count.add(1, '/b', minute + 75_000);
    count.add(0, '/a', minute + 1_000);
    count.add(1, '/b', minute + 2_000);
    count.add(0, '/a', minute + 70_000);
    // Partition 0's stream time is now the first window's end + grace (70 s): late, as in Kafka Streams.
    count.add(0, '/a', minute + 59_999);
    const table = count.table();
    expect(table.lateDropped).toBe(2);
    expect(table.lines).toEqual(
      [
        tableLine('/a', minute, minute + 60_000, 2),
        tableLine('/a', minute + 60_000, minute + 120_000, 1),
        tableLine('/b', minute + 60_000, minute + 120_000, 1),
      ].sort(),
    );
    expect(table.views).toBe(4);
  });

  it('leaves tick pages out of the table', () => {
    const count = new PerMinuteCount();
    count.add(0, '/__tick-0', minute);
    count.add(0, '/a', minute);
    expect(count.table().lines).toEqual([tableLine('/a', minute, minute + 60_000, 1)]);
  });
});
