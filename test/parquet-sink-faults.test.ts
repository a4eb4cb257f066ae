import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Consumed, EmitStrategy, Serdes, StreamsBuilder, TimeWindows } from '@weir/core';
import { silentLogger, WeirApp } from '@weir/kafka';
import { openTable, windowedKeySerde } from '@weir/parquet';
import { describe, expect, it } from 'vitest';
import { windowedCount } from './fixtures/topologies.mjs';
import { outOfOrderWorkload } from './support/datasets.js';
import { duckdbQuery, sqlString } from './support/duckdb.js';
import { expectedWindowedCounts } from './support/expected.js';
import { connectedAdmin, kafkaBrokers, uniqueName, uniqueTopic } from './support/kafka.js';
import { hasConsumedAll, produceRecords, waitUntil } from './support/topics.js';

const PARTITIONS = 4;

/**
 * The windowed count (tumbling 1 min, grace 10 s, emit-final) into a table through
 * `stream.toParquet`, its columns derived from the serdes: key, window_start, window_end, value.
 */
function countsToParquet(input: string, table: string) {
  const builder = new StreamsBuilder();
  builder
    .stream(input, Consumed.with(Serdes.String(), Serdes.String()))
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000))
    .emitStrategy(EmitStrategy.onWindowClose())
    .count()
    .toStream()
    .mapValues((n) => BigInt(n ?? 0))
    .toParquet(table, { name: 'counts', keySerde: windowedKeySerde(Serdes.String()), valueSerde: Serdes.Int64(), roll: { rows: 500, intervalMs: 300 } });
  return builder.build();
}

async function tableLinesByDuckDB(dir: string): Promise<string[]> {
  const files = (await openTable(dir)).files().map((f) => join(dir, f.path));
  if (files.length === 0) return [];
  const rows = await duckdbQuery(`SELECT key, epoch_ms(window_start) AS start, value FROM read_parquet([${files.map(sqlString).join(', ')}])`);
  return rows.map((r) => `${r.key}@${Number(r.start)}=${Number(r.value)}`).sort();
}

/**
 * A real fault: root ignores permission bits, so as root the directory gets the immutable
 * attribute (no file can be created in it, by anyone); otherwise it loses its write bits.
 */
function makeUnwritable(dir: string): () => void {
  if (process.getuid?.() === 0) {
    execFileSync('chattr', ['+i', dir]);
    return () => execFileSync('chattr', ['-i', dir]);
  }
  chmodSync(dir, 0o555);
  return () => chmodSync(dir, 0o755);
}

describe('Parquet sink on an unwritable table directory (real broker)', () => {
  const connected = connectedAdmin();

  it('stops the app with an error naming the directory; after the repair a restart completes the table exactly', async () => {
    const input = uniqueTopic('pq-fault-in');
    await connected.admin.createTopics({ topics: [{ topic: input, numPartitions: PARTITIONS }], waitForLeaders: true });
    const records = outOfOrderWorkload({ count: 20_000, keys: 200, partitions: PARTITIONS, seed: 77 });
    const expected = expectedWindowedCounts(() => windowedCount({ input, output: 'reference-out' }), input, 'reference-out', records);
    const table = await mkdtemp(join(tmpdir(), 'weir-fault-table-'));
    const stateDir = await mkdtemp(join(tmpdir(), 'weir-fault-state-'));
    const applicationId = uniqueName('pq-fault');
    const config = { applicationId, brokers: kafkaBrokers(), stateDir, logger: silentLogger };

    // First half in, until some of it is in the table.
    const half = Math.floor(records.length / 2);
    await produceRecords(connected.kafka, input, records.slice(0, half));
    const first = new WeirApp(countsToParquet(input, table), config);
    await first.start({ handleSignals: false });
    const tableRows = async () => {
      try {
        return await (await openTable(table)).count();
      } catch {
        return 0; // no commit yet
      }
    };
    await waitUntil('the table has rows', async () => (await tableRows()) > 0, 120_000);
    const rowsBefore = await tableRows();

    // The fault, then the second half: the sink cannot write its next files.
    const repair = makeUnwritable(join(table, 'data'));
    try {
      await produceRecords(connected.kafka, input, records.slice(half));
      await waitUntil('the app stopped with an error', async () => first.error !== undefined, 120_000);
      expect(first.error!.message).toContain(`parquet sink counts cannot write table ${resolve(table)} (`);
      expect(first.error!.message).toMatch(/EPERM|EACCES/);
      await first.close().catch(() => {});
      // Nothing was half-committed: the table is still what it was when the fault began, or
      // holds more rows only from commits finished before it.
      expect(await (await openTable(table)).count()).toBeGreaterThanOrEqual(rowsBefore);
    } finally {
      repair();
    }

    // Restart after the repair: the outbox still holds the rows the sink could not write.
    const second = new WeirApp(countsToParquet(input, table), config);
    await second.start({ handleSignals: false });
    await waitUntil('the app consumed its input', () => hasConsumedAll(connected.admin, applicationId, input), 120_000);
    await waitUntil('the table holds every window', async () => (await (await openTable(table)).count()) >= expected.length, 60_000);
    await second.close();
    expect(second.error).toBeUndefined();
    expect(await tableLinesByDuckDB(table)).toEqual(expected);
  });
});
