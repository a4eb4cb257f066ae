import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, WeirApp } from '@weir/kafka';
import { openTable } from '@weir/parquet';
import { startKafka } from '@weir/testkit';
import { type Admin, type Kafka, Kafka as KafkaClient, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { windowedCount, windowedCountToParquet } from './fixtures/topologies.mjs';
import { ChildApp } from './support/child-app.js';
import { outOfOrderWorkload, seededRandom } from './support/datasets.js';
import { duckdbQuery, sqlString } from './support/duckdb.js';
import { expectedWindowedCounts } from './support/expected.js';
import { connectedAdmin, kafkaBrokers, uniqueName, uniqueTopic } from './support/kafka.js';
import { hasConsumedAll, produceRecords, waitUntil } from './support/topics.js';

const PARTITIONS = 4;

/** The committed table's rows, read by DuckDB from the files the commit log lists. */
async function tableLinesByDuckDB(dir: string): Promise<string[]> {
  const table = await openTable(dir);
  const files = table.files().map((f) => join(dir, f.path));
  if (files.length === 0) return [];
  const rows = await duckdbQuery(
    `SELECT key, epoch_ms(window_start) AS start, count FROM read_parquet([${files.map(sqlString).join(', ')}])`,
  );
  return rows.map((r) => `${r.key}@${Number(r.start)}=${Number(r.count)}`).sort();
}

/** How many rows the committed table holds, per Weir's own count. */
async function committedRows(dir: string): Promise<number> {
  return (await openTable(dir)).count();
}

describe('Parquet sink (exactly-once)', () => {
  const connected = connectedAdmin();

  async function setUp(client: Kafka, clientAdmin: Admin, count: number, seed: number) {
    const input = uniqueTopic('pq-in');
    await clientAdmin.createTopics({ topics: [{ topic: input, numPartitions: PARTITIONS }], waitForLeaders: true });
    const records = outOfOrderWorkload({ count, keys: 300, partitions: PARTITIONS, seed });
    await produceRecords(client, input, records);
    const table = await mkdtemp(join(tmpdir(), 'weir-table-'));
    // The reference: the same windowed count in the TestDriver (topic output), per partition.
    const expected = expectedWindowedCounts(() => windowedCount({ input, output: 'reference-out' }), input, 'reference-out', records);
    return { input, records, table, expected };
  }

  it('a windowed count lands in the table exactly once; DuckDB reads the same rows as the TestDriver produced', async () => {
    const { input, table, expected } = await setUp(connected.kafka, connected.admin, 20_000, 21);
    const applicationId = uniqueName('pq-inproc');
    const app = new WeirApp(windowedCountToParquet({ input, table }), {
      applicationId,
      brokers: kafkaBrokers(),
      stateDir: await mkdtemp(join(tmpdir(), 'weir-pq-')),
      logger: silentLogger,
    });
    await app.start({ handleSignals: false });
    await waitUntil('the app consumed its input', () => hasConsumedAll(connected.admin, applicationId, input), 120_000);
    await waitUntil('the table holds every window', async () => (await committedRows(table)) >= expected.length, 60_000);
    await app.close();
    expect(await tableLinesByDuckDB(table)).toEqual(expected);
  });

  it('two instances write one table; one stops; the table is still exact', async () => {
    const { input, table, expected } = await setUp(connected.kafka, connected.admin, 60_000, 33);
    const applicationId = uniqueName('pq-two');
    const options = { topology: 'windowedCountToParquet' as const, topologyArgs: { input, table }, applicationId, brokers: kafkaBrokers() };
    const first = new ChildApp({ ...options, stateDir: await mkdtemp(join(tmpdir(), 'weir-pq-a-')) });
    const second = new ChildApp({ ...options, stateDir: await mkdtemp(join(tmpdir(), 'weir-pq-b-')) });
    first.start();
    second.start();
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    await first.stop();
    await waitUntil('the survivor consumed the input', () => hasConsumedAll(connected.admin, applicationId, input), 240_000, () =>
      second.output.slice(-3000),
    );
    await waitUntil('the table holds every window', async () => (await committedRows(table)) >= expected.length, 120_000);
    await second.stop();
    expect(await tableLinesByDuckDB(table)).toEqual(expected);
  }, 400_000);

  it('survives ten SIGKILLs and a broker restart: the final snapshot read by DuckDB equals the TestDriver', async () => {
    // A broker of its own, so that restarting it does not disturb other tests.
    const broker = await startKafka();
    const client = new KafkaClient({ clientId: 'pq-kill', brokers: broker.brokers, logLevel: logLevel.NOTHING });
    const ownAdmin = client.admin();
    try {
      await ownAdmin.connect();
      const { input, table, expected } = await setUp(client, ownAdmin, 200_000, 77);
      const applicationId = uniqueName('pq-kill');
      const child = new ChildApp({
        topology: 'windowedCountToParquet',
        topologyArgs: { input, table },
        applicationId,
        brokers: broker.brokers,
        stateDir: await mkdtemp(join(tmpdir(), 'weir-pq-kill-')),
      });
      // Files roll every 500 ms, so kills at random moments land during file writes, renames and
      // log commits as well as between them.
      const random = seededRandom(5);
      let kills = 0;
      for (; kills < 10; kills++) {
        child.start();
        await new Promise((resolve) => setTimeout(resolve, 1_500 + random() * 4_000));
        await child.kill();
        if (kills === 4) {
          await ownAdmin.disconnect();
          await broker.restart();
          await ownAdmin.connect();
        }
      }
      child.start();
      await waitUntil('the app consumed its input', () => hasConsumedAll(ownAdmin, applicationId, input), 300_000, () =>
        child.output.slice(-3000),
      );
      await waitUntil('the table holds every window', async () => (await committedRows(table)) >= expected.length, 120_000, () =>
        child.output.slice(-3000),
      );
      await child.stop();
      const actual = await tableLinesByDuckDB(table);
      expect(kills).toBe(10);
      expect(new Set(actual).size).toBe(actual.length);
      expect(actual.length).toBe(expected.length);
      expect(actual).toEqual(expected);
    } finally {
      await ownAdmin.disconnect().catch(() => {});
      await broker.stop();
    }
  }, 600_000);
});
