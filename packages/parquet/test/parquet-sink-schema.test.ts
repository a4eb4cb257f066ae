import { type AvroSchema, avroSerde, Columns, confluentAvroSerde, InMemorySchemaRegistry } from '@weir/avro';
import { Consumed, EmitStrategy, Serdes, StreamsBuilder, TimeWindows, windowedSerde } from '@weir/core';
import { TestDriver } from '@weir/core/testing';
import { describe, expect, it } from 'vitest';
import { deriveSinkSchema, openTable, parquetSink, windowedKeySerde } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

interface Purchase {
  item: string;
  amount: bigint;
  at: Date;
  note: string | null;
}

const purchaseSchema: AvroSchema = {
  type: 'record',
  name: 'Purchase',
  fields: [
    { name: 'item', type: 'string' },
    { name: 'amount', type: 'long' },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};

const purchaseColumns = [
  Columns.int64('amount'),
  Columns.timestampMillis('at'),
  Columns.string('note', { nullable: true }),
];

describe('parquet sink schema derived from serdes', () => {
  it('derives key STRING then the Avro record value columns, and writes rows through the TestDriver', async () => {
    const dir = tempDir();
    const builder = new StreamsBuilder();
    const valueSerde = avroSerde<Purchase>(purchaseSchema);
    builder
      .stream('purchases', Consumed.with(Serdes.String(), valueSerde))
      .to(parquetSink<string, Purchase>(dir, { name: 'purchases', keySerde: Serdes.String(), valueSerde }));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('purchases', Serdes.String(), valueSerde);
    input.pipeInput('bob', { item: 'pen', amount: 3n, at: new Date(2_000), note: 'gift' }, 2_000);
    input.pipeInput('alice', { item: 'book', amount: 12n, at: new Date(1_000), note: null }, 1_000);
    await driver.flushExternalSinks();
    const table = await openTable(dir);
    expect(table.schema).toEqual([Columns.string('key'), Columns.string('item'), ...purchaseColumns]);
    // Sorted by the derived key column.
    expect(await table.scan().toArray()).toEqual([
      { key: 'alice', item: 'book', amount: 12n, at: new Date(1_000), note: null },
      { key: 'bob', item: 'pen', amount: 3n, at: new Date(2_000), note: 'gift' },
    ]);
    driver.close();
  });

  it('derives key, window_start, window_end and value for a windowed count (windowedKeySerde, Int64 values)', async () => {
    const dir = tempDir();
    const builder = new StreamsBuilder();
    builder
      .stream('views', Consumed.with(Serdes.String(), Serdes.String()))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000))
      .emitStrategy(EmitStrategy.onWindowClose())
      .count()
      .toStream()
      .mapValues((n) => BigInt(n ?? 0))
      .to(parquetSink(dir, { name: 'counts', keySerde: windowedKeySerde(Serdes.String()), valueSerde: Serdes.Int64() }));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('views', Serdes.String(), Serdes.String());
    input.pipeInput('a', '/', 1_000);
    input.pipeInput('a', '/', 2_000);
    input.pipeInput('b', '/', 3_000);
    input.pipeInput('a', '/', 200_000); // closes the first window
    await driver.flushExternalSinks();
    const table = await openTable(dir);
    expect(table.schema).toEqual([
      Columns.string('key'),
      Columns.timestampMillis('window_start'),
      Columns.timestampMillis('window_end'),
      Columns.int64('value'),
    ]);
    expect(await table.scan().toArray()).toEqual([
      { key: 'a', window_start: new Date(0), window_end: new Date(60_000), value: 2n },
      { key: 'b', window_start: new Date(0), window_end: new Date(60_000), value: 1n },
    ]);
    driver.close();
  });

  it('derives the fields of an Avro record key, windowed, and of a Confluent serde with a reader schema', () => {
    const keySchema: AvroSchema = { type: 'record', name: 'PageKey', fields: [{ name: 'site', type: 'string' }, { name: 'page', type: 'string' }] };
    const registry = new InMemorySchemaRegistry();
    const derived = deriveSinkSchema(
      'stats',
      windowedKeySerde(avroSerde(keySchema)),
      confluentAvroSerde({ registry, schema: purchaseSchema }),
    );
    expect(derived.schema.map((c) => `${c.name}:${String(c.type)}`)).toEqual([
      'site:STRING',
      'page:STRING',
      'window_start:TIMESTAMP_MILLIS',
      'window_end:TIMESTAMP_MILLIS',
      'item:STRING',
      'amount:INT64',
      'at:TIMESTAMP_MILLIS',
      'note:STRING',
    ]);
    expect(derived.keyColumns).toEqual(['site', 'page']);
  });

  it('maps a non-record Avro value to one column named value, a map staying one column', async () => {
    const dir = tempDir();
    const valueSerde = avroSerde<Record<string, bigint>>({ type: 'map', values: 'long' });
    const builder = new StreamsBuilder();
    builder.stream('tags', Consumed.with(Serdes.String(), valueSerde)).to(parquetSink(dir, { name: 'tags', keySerde: Serdes.String(), valueSerde }));
    const driver = new TestDriver(builder.build());
    driver.createInputTopic('tags', Serdes.String(), valueSerde).pipeInput('k', { a: 1n, b: 2n }, 1_000);
    await driver.flushExternalSinks();
    const table = await openTable(dir);
    expect(table.schema.map((c) => c.name)).toEqual(['key', 'value']);
    expect(await table.scan().toArray()).toEqual([{ key: 'k', value: { a: 1n, b: 2n } }]);
    driver.close();
  });

  it('gives a clear error when the serdes carry no schema and none is given', () => {
    expect(() => parquetSink(tempDir(), { name: 'x', keySerde: Serdes.String(), valueSerde: Serdes.Json() })).toThrow(
      'parquet sink x: cannot derive the table schema: the value serde carries no schema (use avroSerde(schema), confluentAvroSerde({ schema }), Serdes.String(), Int32(), Int64() or Double()). Pass options.schema (and toRow if needed)',
    );
    expect(() => parquetSink(tempDir(), { name: 'x' })).toThrow(
      'cannot derive the table schema: no key serde was given (JSON by default, which carries no schema); no value serde was given',
    );
    // Core's windowedSerde does not say which serde is inside: windowedKeySerde does.
    expect(() => parquetSink(tempDir(), { name: 'x', keySerde: windowedSerde(Serdes.String()), valueSerde: Serdes.Int64() })).toThrow(
      'or windowedKeySerde(inner) for windowed keys',
    );
    // A Confluent serde without a reader schema reads each record in its writer's schema.
    expect(() =>
      parquetSink(tempDir(), { name: 'x', keySerde: Serdes.String(), valueSerde: confluentAvroSerde({ registry: new InMemorySchemaRegistry() }) }),
    ).toThrow('the value serde carries no schema');
  });

  it('refuses a key and a value column of the same name', () => {
    const keySerde = avroSerde({ type: 'record', name: 'K', fields: [{ name: 'item', type: 'string' }] });
    expect(() => parquetSink(tempDir(), { name: 'x', keySerde, valueSerde: avroSerde(purchaseSchema) })).toThrow(
      'column "item" comes from both the key and the value',
    );
  });

  it('an explicit schema still wins over the serdes', () => {
    const sink = parquetSink(tempDir(), {
      name: 'x',
      schema: [Columns.string('key'), Columns.string('item')],
      keySerde: Serdes.String(),
      valueSerde: avroSerde<Purchase>(purchaseSchema),
    });
    expect(() => sink.check!('k', { item: 'pen', amount: 1n, at: new Date(0), note: null }, 0)).not.toThrow();
  });
});
