import { type AvroSchema, avroSerde, Columns } from '@weir/avro';
import { Consumed, EmitStrategy, KStream, Serdes, StreamsBuilder, TimeWindows } from '@weir/core';
import { TestDriver } from '@weir/core/testing';
import { describe, expect, it } from 'vitest';
// The package import installs KStream.prototype.toParquet.
import { openTable, windowedKeySerde } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

interface Order {
  item: string;
  qty: number;
}

const orderSchema: AvroSchema = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'item', type: 'string' },
    { name: 'qty', type: 'int' },
  ],
};

describe('stream.toParquet', () => {
  it('is installed on KStream by importing @weir/parquet', () => {
    expect(typeof KStream.prototype.toParquet).toBe('function');
  });

  it('writes a stream with the serdes it was read with, deriving the schema from the Avro value serde', async () => {
    const dir = tempDir();
    const orders = avroSerde<Order>(orderSchema);
    const builder = new StreamsBuilder();
    builder.stream('orders', Consumed.with(Serdes.String(), orders)).toParquet(dir, { name: 'orders' });
    const topology = builder.build();
    expect(topology.externalSinks.map((s) => s.outboxTopic)).toEqual(['orders-outbox']);
    const driver = new TestDriver(topology);
    const input = driver.createInputTopic('orders', Serdes.String(), orders);
    input.pipeInput('u2', { item: 'pen', qty: 3 }, 2_000);
    input.pipeInput('u1', { item: 'book', qty: 1 }, 1_000);
    await driver.flushExternalSinks();
    const table = await openTable(dir);
    expect(table.schema).toEqual([Columns.string('key'), Columns.string('item'), Columns.int32('qty')]);
    expect(await table.scan().toArray()).toEqual([
      { key: 'u1', item: 'book', qty: 1 },
      { key: 'u2', item: 'pen', qty: 3 },
    ]);
    driver.close();
  });

  it('writes a windowed count from table.toStream() with explicit options (file roll, serdes)', async () => {
    const dir = tempDir();
    const builder = new StreamsBuilder();
    builder
      .stream('views', Consumed.with(Serdes.String(), Serdes.String()))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 0))
      .emitStrategy(EmitStrategy.onWindowClose())
      .count()
      .toStream()
      .mapValues((n) => BigInt(n ?? 0))
      .toParquet(dir, { name: 'counts', keySerde: windowedKeySerde(Serdes.String()), valueSerde: Serdes.Int64(), roll: { rows: 1 } });
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('views', Serdes.String(), Serdes.String());
    for (const [key, at] of [['a', 1_000], ['b', 2_000], ['a', 61_000], ['z', 500_000]] as const) input.pipeInput(key, '/', at);
    await driver.flushExternalSinks();
    const table = await openTable(dir);
    expect(await table.scan({ columns: ['key', 'window_start', 'value'], orderBy: [{ column: 'window_start' }, { column: 'key' }] }).toArray()).toEqual([
      { key: 'a', window_start: new Date(0), value: 1n },
      { key: 'b', window_start: new Date(0), value: 1n },
      { key: 'a', window_start: new Date(60_000), value: 1n },
    ]);
    // roll.rows = 1: one file per row.
    expect(table.files().map((f) => f.rows)).toEqual([1, 1, 1]);
    driver.close();
  });

  it('fails at build time, naming the serde, when nothing can be derived', () => {
    const builder = new StreamsBuilder();
    const stream = builder.stream('raw', Consumed.with(Serdes.String(), Serdes.Json<object>()));
    expect(() => stream.toParquet(tempDir(), { name: 'raw' })).toThrow('parquet sink raw: cannot derive the table schema: the value serde carries no schema');
  });
});
