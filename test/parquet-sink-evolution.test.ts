import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AvroSchema, confluentAvroSerde, IncompatibleSchemaError, InMemorySchemaRegistry } from '@weir/avro';
import { Consumed, Serdes, StreamsBuilder } from '@weir/core';
import { silentLogger, WeirApp } from '@weir/kafka';
import { openTable } from '@weir/parquet';
import { describe, expect, it } from 'vitest';
import { duckdbQuery, sqlString } from './support/duckdb.js';
import { connectedAdmin, kafkaBrokers, uniqueName, uniqueTopic } from './support/kafka.js';
import { produceRecords, waitUntil } from './support/topics.js';

const PARTITIONS = 2;

const base = [
  { name: 'item', type: 'string' },
  { name: 'amount', type: 'long' },
];
const v1: AvroSchema = { type: 'record', name: 'Order', fields: base };
// Compatible: an added nullable field.
const v2: AvroSchema = { type: 'record', name: 'Order', fields: [...base, { name: 'coupon', type: ['null', 'string'], default: null }] };
// Incompatible with the table: amount becomes a string.
const v3: AvroSchema = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'item', type: 'string' },
    { name: 'amount', type: 'string' },
    { name: 'coupon', type: ['null', 'string'], default: null },
  ],
};

interface Input {
  item: string;
  amount: number;
  coupon: string | null;
}

/** One deployment: orders (JSON in) mapped to the Avro value of `schema`, into the table with a derived schema. */
function topology(input: string, table: string, registry: InMemorySchemaRegistry, schema: AvroSchema) {
  const hasCoupon = schema === v2 || schema === v3;
  const builder = new StreamsBuilder();
  builder
    .stream(input, Consumed.with(Serdes.String(), Serdes.Json<Input>()))
    .mapValues((o) => ({
      item: o.item,
      amount: schema === v3 ? String(o.amount) : BigInt(o.amount),
      ...(hasCoupon ? { coupon: o.coupon } : {}),
    }))
    .toParquet(table, {
      name: 'orders',
      keySerde: Serdes.String(),
      valueSerde: confluentAvroSerde({ registry, schema }),
      roll: { rows: 120, intervalMs: 300 },
    });
  return builder.build();
}

function orders(from: number, to: number, withCoupons: boolean) {
  return Array.from({ length: to - from }, (_, j) => {
    const i = from + j;
    const value: Input = { item: `item-${i % 7}`, amount: i, coupon: withCoupons && i % 2 === 0 ? `C${i}` : null };
    return { key: `order-${String(i).padStart(4, '0')}`, value: JSON.stringify(value), timestamp: Date.now() - 60_000 + i, partition: i % PARTITIONS };
  });
}

async function tableRows(dir: string): Promise<number> {
  try {
    return (await openTable(dir)).files().reduce((sum, f) => sum + f.rows, 0);
  } catch {
    return 0;
  }
}

describe('Parquet sink schema evolution (real broker, Confluent Avro serde)', () => {
  const connected = connectedAdmin();

  it('a compatible new schema mid-stream starts files of a new version; old rows read null; an incompatible one stops the app naming the field', async () => {
    const input = uniqueTopic('pq-evolve-in');
    await connected.admin.createTopics({ topics: [{ topic: input, numPartitions: PARTITIONS }], waitForLeaders: true });
    const table = await mkdtemp(join(tmpdir(), 'weir-evolve-table-'));
    const stateDir = await mkdtemp(join(tmpdir(), 'weir-evolve-state-'));
    const registry = new InMemorySchemaRegistry();
    const config = { applicationId: uniqueName('pq-evolve'), brokers: kafkaBrokers(), stateDir, logger: silentLogger };

    // Deployment 1: schema v1.
    await produceRecords(connected.kafka, input, orders(0, 300, false));
    const first = new WeirApp(topology(input, table, registry, v1), config);
    await first.start({ handleSignals: false });
    await waitUntil('v1 rows in the table', async () => (await tableRows(table)) >= 300, 120_000);
    await first.close();

    // Deployment 2: schema v2 (coupon added), on the same app and table.
    await produceRecords(connected.kafka, input, orders(300, 500, true));
    const second = new WeirApp(topology(input, table, registry, v2), config);
    await second.start({ handleSignals: false });
    await waitUntil('v2 rows in the table', async () => (await tableRows(table)) >= 500, 120_000);
    await second.close();
    expect(second.error).toBeUndefined();

    const snapshot = await openTable(table);
    // The log records both versions; files name theirs, v1 files before v2 files.
    const log = join(table, '_weir_log');
    const commits = await Promise.all(
      (await readdir(log)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort().map(async (n) => JSON.parse(await readFile(join(log, n), 'utf8'))),
    );
    expect([...new Set(commits.map((c) => c.schema.version))]).toEqual([1, 2]);
    expect(commits.find((c) => c.schema.version === 2).schema.columns.map((c: { name: string }) => c.name)).toEqual(['key', 'item', 'amount', 'coupon']);
    const versions = snapshot.files().map((f) => f.schemaVersion);
    expect(versions).toEqual([...versions].sort());
    expect(new Set(versions)).toEqual(new Set([1, 2]));

    const expected = [...orders(0, 300, false), ...orders(300, 500, true)]
      .map((r) => {
        const v = JSON.parse(r.value) as Input;
        return { key: r.key, item: v.item, amount: BigInt(v.amount), coupon: v.coupon };
      })
      .sort((a, b) => (a.key < b.key ? -1 : 1));
    expect(await snapshot.scan({ orderBy: [{ column: 'key' }] }).toArray()).toEqual(expected);
    const files = snapshot.filePaths().map(sqlString).join(', ');
    const duck = await duckdbQuery(`SELECT key, item, amount, coupon FROM read_parquet([${files}], union_by_name = true) ORDER BY key`);
    expect(duck).toEqual(expected);

    // Deployment 3: an incompatible schema. The registry (BACKWARD, Confluent's default) refuses
    // it in the task, before the outbox, naming the field: the app stops, nothing is written.
    await produceRecords(connected.kafka, input, orders(500, 510, true));
    const third = new WeirApp(topology(input, table, registry, v3), config);
    await third.start({ handleSignals: false });
    await waitUntil('the app stopped with an error', async () => third.error !== undefined, 120_000);
    await third.close().catch(() => {});
    expect(third.error!.message).toContain('field "amount" changed type from long to string');
    expect(await tableRows(table)).toBe(500);

    // Deployment 4: the same schema through a registry that checks nothing. The table itself
    // refuses it: the sink stops the app with the table's error naming the column.
    const lax = new InMemorySchemaRegistry({ compatibility: 'NONE' });
    const fourth = new WeirApp(topology(input, table, lax, v3), config);
    await fourth.start({ handleSignals: false });
    await waitUntil('the app stopped with an error', async () => fourth.error !== undefined, 120_000);
    await fourth.close().catch(() => {});
    expect(fourth.error).toBeInstanceOf(IncompatibleSchemaError);
    expect(fourth.error!.message).toBe('Incompatible schema change: column "amount" changed type from INT64 to STRING');
    expect((await openTable(table)).version).toBe(snapshot.version);
    expect(await tableRows(table)).toBe(500);
  });
});
