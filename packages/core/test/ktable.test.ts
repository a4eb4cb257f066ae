import { describe, expect, it } from 'vitest';
import {
  Consumed,
  Grouped,
  type KTable,
  Materialized,
  Produced,
  Serdes,
  StreamsBuilder,
  type ValueAndTimestamp,
} from '../src/index.js';
import { TestDriver } from '../src/testing.js';

/**
 * KTables: the source table, filter/filterNot/mapValues (KTableFilterTest, KTableMapValuesTest)
 * and re-grouped aggregations with adder and subtractor (KTableAggregateTest, KTableReduceTest).
 * Outputs are hand-written from Kafka Streams' semantics.
 */

type Row<V> = { key: string; value: V | null; timestamp: number };

function read<V>(driver: TestDriver, topic: string, valueSerde = Serdes.Json<V>()): Row<V>[] {
  return driver
    .createOutputTopic(topic, Serdes.String(), valueSerde)
    .readRecordsToList()
    .map(({ key, value, timestamp }) => ({ key, value, timestamp }));
}

const intTable = Consumed.with(Serdes.String(), Serdes.Int32());
const intOut = Produced.with(Serdes.String(), Serdes.Int32());

describe('table source', () => {
  it('emits each update, and a delete (null value) as a null update', () => {
    const builder = new StreamsBuilder();
    builder.table('in', intTable, Materialized.as('t')).toStream().to('out', intOut);
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.Int32());
    input.pipeInput('A', 1, 10);
    input.pipeInput('B', 2, 11);
    input.pipeInput('A', 3, 12);
    input.pipeInput('A', null, 14);
    expect(read(driver, 'out', Serdes.Int32())).toEqual([
      { key: 'A', value: 1, timestamp: 10 },
      { key: 'B', value: 2, timestamp: 11 },
      { key: 'A', value: 3, timestamp: 12 },
      { key: 'A', value: null, timestamp: 14 },
    ]);
    const store = driver.getKeyValueStore<string, ValueAndTimestamp<number>>('t');
    expect(store.get('A')).toBeUndefined();
    expect(store.get('B')).toEqual({ value: 2, timestamp: 11 });
  });

  it('keeps the latest update even when it is older (out-of-order updates are not dropped)', () => {
    const builder = new StreamsBuilder();
    builder.table('in', intTable, Materialized.as('t'));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.Int32());
    input.pipeInput('k', 1, 10);
    input.pipeInput('k', 2, 5);
    expect(driver.getKeyValueStore<string, ValueAndTimestamp<number>>('t').get('k')).toEqual({ value: 2, timestamp: 5 });
  });

  it('drops records with a null key, counting them', () => {
    const builder = new StreamsBuilder();
    builder.table('in', intTable).toStream().to('out', intOut);
    const driver = new TestDriver(builder.build());
    driver.createInputTopic('in', Serdes.String(), Serdes.Int32()).pipeInput(null, 1, 0);
    expect(read(driver, 'out', Serdes.Int32())).toEqual([]);
    expect(driver.droppedRecords()['null-key']).toBe(1);
  });

  it('does not emit the delete of a key it never held when caching (as a cached Kafka Streams store)', () => {
    const builder = new StreamsBuilder();
    builder.table('in', intTable, Materialized.as('t')).toStream().to('out', intOut);
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.Int32());
    input.pipeInput('ghost', null, 1);
    expect(read(driver, 'out', Serdes.Int32())).toEqual([]);
  });

  it('emits the delete of a key it never held when caching is disabled', () => {
    const builder = new StreamsBuilder();
    builder
      .table('in', intTable, Materialized.as<string, number>('t').withCachingDisabled())
      .toStream()
      .to('out', intOut);
    const driver = new TestDriver(builder.build());
    driver.createInputTopic('in', Serdes.String(), Serdes.Int32()).pipeInput('ghost', null, 1);
    expect(read(driver, 'out', Serdes.Int32())).toEqual([{ key: 'ghost', value: null, timestamp: 1 }]);
  });
});

/** KTableFilterTest's input: A=1@10, B=2@5, C=3@8, D=4@14, A=null@18, B=null@15. */
function pipeFilterInput(driver: TestDriver): void {
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.Int32());
  input.pipeInput('A', 1, 10);
  input.pipeInput('B', 2, 5);
  input.pipeInput('C', 3, 8);
  input.pipeInput('D', 4, 14);
  input.pipeInput('A', null, 18);
  input.pipeInput('B', null, 15);
}

const isEven = (_k: string, v: number) => v % 2 === 0;

describe('filter and filterNot', () => {
  it('turns a filtered-out update into a delete downstream when not materialized', () => {
    const builder = new StreamsBuilder();
    const table = builder.table('in', intTable);
    table.filter(isEven).toStream().to('even', intOut);
    table.filterNot(isEven).toStream().to('odd', intOut);
    const driver = new TestDriver(builder.build());
    pipeFilterInput(driver);
    expect(read(driver, 'even', Serdes.Int32())).toEqual([
      { key: 'A', value: null, timestamp: 10 },
      { key: 'B', value: 2, timestamp: 5 },
      { key: 'C', value: null, timestamp: 8 },
      { key: 'D', value: 4, timestamp: 14 },
      { key: 'A', value: null, timestamp: 18 },
      { key: 'B', value: null, timestamp: 15 },
    ]);
    expect(read(driver, 'odd', Serdes.Int32())).toEqual([
      { key: 'A', value: 1, timestamp: 10 },
      { key: 'B', value: null, timestamp: 5 },
      { key: 'C', value: 3, timestamp: 8 },
      { key: 'D', value: null, timestamp: 14 },
      { key: 'A', value: null, timestamp: 18 },
      { key: 'B', value: null, timestamp: 15 },
    ]);
  });

  it('emits the same updates when materialized without caching, and stores only the kept entries', () => {
    const builder = new StreamsBuilder();
    const table = builder.table('in', intTable);
    const even = table.filter(isEven, Materialized.as<string, number>('even-store').withCachingDisabled());
    expect(even.queryableStoreName).toBe('even-store');
    even.toStream().to('even', intOut);
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.Int32());
    input.pipeInput('A', 1, 10);
    input.pipeInput('B', 2, 5);
    input.pipeInput('C', 3, 8);
    input.pipeInput('D', 4, 14);
    const store = driver.getKeyValueStore<string, ValueAndTimestamp<number>>('even-store');
    expect([...store.all()]).toEqual([
      { key: 'B', value: { value: 2, timestamp: 5 } },
      { key: 'D', value: { value: 4, timestamp: 14 } },
    ]);
    input.pipeInput('A', null, 18);
    input.pipeInput('B', null, 15);
    expect(read(driver, 'even', Serdes.Int32())).toEqual([
      { key: 'A', value: null, timestamp: 10 },
      { key: 'B', value: 2, timestamp: 5 },
      { key: 'C', value: null, timestamp: 8 },
      { key: 'D', value: 4, timestamp: 14 },
      { key: 'A', value: null, timestamp: 18 },
      { key: 'B', value: null, timestamp: 15 },
    ]);
    expect([...store.all()]).toEqual([{ key: 'D', value: { value: 4, timestamp: 14 } }]);
  });

  it('does not emit deletes of keys the materialized (cached) filter never held', () => {
    const builder = new StreamsBuilder();
    builder.table('in', intTable).filter(isEven, Materialized.as('even-store')).toStream().to('even', intOut);
    const driver = new TestDriver(builder.build());
    pipeFilterInput(driver);
    expect(read(driver, 'even', Serdes.Int32())).toEqual([
      { key: 'B', value: 2, timestamp: 5 },
      { key: 'D', value: 4, timestamp: 14 },
      { key: 'B', value: null, timestamp: 15 },
    ]);
  });

  it('sends nothing downstream for an update invisible before and after, when old values are needed', () => {
    // A downstream groupBy needs old values: the filter then skips changes that are null both ways.
    const builder = new StreamsBuilder();
    builder
      .table('in', intTable)
      .filter(isEven)
      .groupBy((_k, v) => ({ key: 'all', value: v }), Grouped.with(Serdes.String(), Serdes.Int32()))
      .count()
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.Json<number>()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.Int32());
    input.pipeInput('A', 1, 1); // odd: invisible before and after, nothing sent
    input.pipeInput('B', 2, 2); // all: 1
    input.pipeInput('A', 2, 3); // all: 2
    input.pipeInput('A', 3, 4); // A leaves: all: 1
    input.pipeInput('A', null, 5); // A was already filtered out: nothing sent
    input.pipeInput('B', null, 6); // all: 0
    expect(read<number>(driver, 'out')).toEqual([
      { key: 'all', value: 1, timestamp: 2 },
      { key: 'all', value: 2, timestamp: 3 },
      { key: 'all', value: 1, timestamp: 4 },
      { key: 'all', value: 0, timestamp: 6 },
    ]);
  });

  it('gives a downstream groupBy the old values from its own store when materialized', () => {
    const builder = new StreamsBuilder();
    builder
      .table('in', intTable)
      .filter(isEven, Materialized.as('even-store'))
      .groupBy((_k, v) => ({ key: 'all', value: v }), Grouped.with(Serdes.String(), Serdes.Int32()))
      .count()
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.Json<number>()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.Int32());
    input.pipeInput('A', 1, 1);
    input.pipeInput('B', 2, 2);
    input.pipeInput('A', 2, 3);
    input.pipeInput('A', 3, 4);
    input.pipeInput('A', null, 5);
    input.pipeInput('B', null, 6);
    expect(read<number>(driver, 'out')).toEqual([
      { key: 'all', value: 1, timestamp: 2 },
      { key: 'all', value: 2, timestamp: 3 },
      { key: 'all', value: 1, timestamp: 4 },
      { key: 'all', value: 0, timestamp: 6 },
    ]);
  });
});

describe('mapValues', () => {
  function doTest(table: (t: KTable<string, string>) => KTable<string, number>): Row<number>[] {
    const builder = new StreamsBuilder();
    table(builder.table('in', Consumed.with(Serdes.String(), Serdes.String())))
      .toStream()
      .to('out', intOut);
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('A', '1', 5);
    input.pipeInput('B', '2', 25);
    input.pipeInput('C', '3', 20);
    input.pipeInput('D', '4', 10);
    input.pipeInput('B', null, 30);
    return read(driver, 'out', Serdes.Int32());
  }

  const expected = [
    { key: 'A', value: 1, timestamp: 5 },
    { key: 'B', value: 2, timestamp: 25 },
    { key: 'C', value: 3, timestamp: 20 },
    { key: 'D', value: 4, timestamp: 10 },
    { key: 'B', value: null, timestamp: 30 },
  ];

  it('maps each value and passes deletes through without calling the mapper', () => {
    expect(doTest((t) => t.mapValues((v) => Number(v)))).toEqual(expected);
  });

  it('emits the same when materialized, and the store holds the mapped values', () => {
    const builder = new StreamsBuilder();
    builder
      .table('in', Consumed.with(Serdes.String(), Serdes.String()))
      .mapValues((v, k) => `${k}${v}`.length, Materialized.as('lengths'));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('key', 'value', 3);
    expect(driver.getKeyValueStore<string, ValueAndTimestamp<number>>('lengths').get('key')).toEqual({ value: 8, timestamp: 3 });
    expect(doTest((t) => t.mapValues((v) => Number(v), Materialized.as('anyName')))).toEqual(expected);
  });

  it('maps old values too when a downstream groupBy needs them', () => {
    const builder = new StreamsBuilder();
    builder
      .table('in', intTable)
      .mapValues((v) => v * 10)
      .groupBy((_k, v) => ({ key: 'sum', value: v }), Grouped.with(Serdes.String(), Serdes.Int32()))
      .reduce(
        (a, b) => a + b,
        (a, b) => a - b,
        Materialized.with(Serdes.String(), Serdes.Int32()),
      )
      .toStream()
      .to('out', intOut);
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.Int32());
    input.pipeInput('A', 1, 1); // 10
    input.pipeInput('B', 2, 2); // 30
    input.pipeInput('A', 5, 3); // 30 - 10 + 50 = 70
    input.pipeInput('B', null, 4); // 70 - 20 = 50
    expect(read(driver, 'out', Serdes.Int32())).toEqual([
      { key: 'sum', value: 10, timestamp: 1 },
      { key: 'sum', value: 30, timestamp: 2 },
      { key: 'sum', value: 70, timestamp: 3 },
      { key: 'sum', value: 50, timestamp: 4 },
    ]);
  });
});

describe('groupBy aggregations', () => {
  /** KTableAggregateTest's string aggregation: "0", then "+v" to add and "-v" to remove. */
  function stringAggregate(
    selector: (k: string, v: string) => { key: string; value: string },
  ): { builder: StreamsBuilder } {
    const builder = new StreamsBuilder();
    builder
      .table('in', Consumed.with(Serdes.String(), Serdes.String()))
      .groupBy(selector, Grouped.with(Serdes.String(), Serdes.String()))
      .aggregate(
        () => '0',
        (_k, v, agg) => `${agg}+${v}`,
        (_k, v, agg) => `${agg}-${v}`,
        Materialized.as<string, string>('agg').withValueSerde(Serdes.String()),
      )
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.String()));
    return { builder };
  }

  it('subtracts the old value and adds the new one as one update when the group does not change', () => {
    const { builder } = stringAggregate((k, v) => ({ key: k, value: v }));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('A', '1', 10);
    input.pipeInput('B', '2', 15);
    input.pipeInput('A', '3', 20);
    input.pipeInput('B', '4', 18);
    input.pipeInput('C', '5', 5);
    input.pipeInput('D', '6', 25);
    input.pipeInput('B', '7', 15);
    input.pipeInput('C', '8', 10);
    expect(read(driver, 'out', Serdes.String())).toEqual([
      { key: 'A', value: '0+1', timestamp: 10 },
      { key: 'B', value: '0+2', timestamp: 15 },
      { key: 'A', value: '0+1-1+3', timestamp: 20 },
      { key: 'B', value: '0+2-2+4', timestamp: 18 },
      { key: 'C', value: '0+5', timestamp: 5 },
      { key: 'D', value: '0+6', timestamp: 25 },
      { key: 'B', value: '0+2-2+4-4+7', timestamp: 18 },
      { key: 'C', value: '0+5-5+8', timestamp: 10 },
    ]);
  });

  it('retracts from the old group and adds to the new one when a row changes group or is deleted', () => {
    const { builder } = stringAggregate((_k, v) => ({ key: v, value: v }));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('A', '1', 10);
    input.pipeInput('A', null, 15);
    input.pipeInput('A', '1', 12);
    input.pipeInput('B', '2', 20);
    input.pipeInput('B', '4', 23);
    input.pipeInput('B', '7', 22);
    expect(read(driver, 'out', Serdes.String())).toEqual([
      { key: '1', value: '0+1', timestamp: 10 },
      { key: '1', value: '0+1-1', timestamp: 15 },
      { key: '1', value: '0+1-1+1', timestamp: 15 },
      { key: '2', value: '0+2', timestamp: 20 },
      { key: '2', value: '0+2-2', timestamp: 23 },
      { key: '4', value: '0+4', timestamp: 23 },
      { key: '4', value: '0+4-4', timestamp: 23 },
      { key: '7', value: '0+7', timestamp: 22 },
    ]);
  });

  it('drops rows whose selected key is null without counting them as dropped', () => {
    const { builder } = stringAggregate((k, v) => ({ key: k === 'none' ? (null as unknown as string) : v, value: v }));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('none', '3', 25);
    input.pipeInput('B', '2', 26);
    expect(read(driver, 'out', Serdes.String())).toEqual([{ key: '2', value: '0+2', timestamp: 26 }]);
  });

  it('counts rows per group, decrementing when a row moves away', () => {
    const builder = new StreamsBuilder();
    builder
      .table('in', Consumed.with(Serdes.String(), Serdes.String()))
      .groupBy((_k, color) => ({ key: color, value: color }), Grouped.with(Serdes.String(), Serdes.String()))
      .count(Materialized.as('count'))
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.Json<number>()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('A', 'green', 10);
    input.pipeInput('B', 'green', 9);
    input.pipeInput('A', 'blue', 12);
    input.pipeInput('C', 'yellow', 15);
    input.pipeInput('D', 'green', 11);
    expect(read<number>(driver, 'out')).toEqual([
      { key: 'green', value: 1, timestamp: 10 },
      { key: 'green', value: 2, timestamp: 10 },
      { key: 'green', value: 1, timestamp: 12 },
      { key: 'blue', value: 1, timestamp: 12 },
      { key: 'yellow', value: 1, timestamp: 15 },
      { key: 'green', value: 2, timestamp: 12 },
    ]);
    expect(driver.getKeyValueStore<string, ValueAndTimestamp<number>>('count').get('green')).toEqual({ value: 2, timestamp: 12 });
  });

  it('keeps a count of zero (not a delete) when the last row of a group is deleted', () => {
    const builder = new StreamsBuilder();
    builder
      .table('in', Consumed.with(Serdes.String(), Serdes.String()))
      .groupBy((_k, v) => ({ key: v, value: v }), Grouped.with(Serdes.String(), Serdes.String()))
      .count()
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.Json<number>()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('A', 'x', 1);
    input.pipeInput('A', null, 2);
    expect(read<number>(driver, 'out')).toEqual([
      { key: 'x', value: 1, timestamp: 1 },
      { key: 'x', value: 0, timestamp: 2 },
    ]);
  });

  it('removes the old value before adding the new one within one group', () => {
    const builder = new StreamsBuilder();
    builder
      .table('in', Consumed.with(Serdes.String(), Serdes.String()))
      .groupBy((k) => ({ key: k.charAt(0), value: k.charAt(1) }), Grouped.with(Serdes.String(), Serdes.String()))
      .aggregate(
        () => '',
        (_k, v, agg) => agg + v,
        (_k, v, agg) => agg.replaceAll(v, ''),
        Materialized.as<string, string>('someStore').withValueSerde(Serdes.String()),
      )
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('11', 'A', 10);
    input.pipeInput('12', 'B', 8);
    input.pipeInput('11', null, 12);
    input.pipeInput('12', 'C', 6);
    expect(read(driver, 'out', Serdes.String())).toEqual([
      { key: '1', value: '1', timestamp: 10 },
      { key: '1', value: '12', timestamp: 10 },
      { key: '1', value: '2', timestamp: 12 },
      { key: '1', value: '2', timestamp: 12 },
    ]);
  });

  it('reduces with adder and subtractor, the first value of a group being its aggregate', () => {
    const builder = new StreamsBuilder();
    builder
      .table('in', Consumed.with(Serdes.String(), Serdes.Int32()))
      .groupBy((_account, amount) => ({ key: amount >= 100 ? 'big' : 'small', value: amount }), Grouped.with(Serdes.String(), Serdes.Int32()))
      .reduce(
        (sum, v) => sum + v,
        (sum, v) => sum - v,
        Materialized.as<string, number>('sums').withValueSerde(Serdes.Int32()),
      )
      .toStream()
      .to('out', intOut);
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.Int32());
    input.pipeInput('acc1', 10, 1); // small: 10
    input.pipeInput('acc2', 20, 2); // small: 30
    input.pipeInput('acc1', 150, 3); // small: 20, big: 150
    input.pipeInput('acc2', 25, 4); // small: 20 - 20 + 25 = 25
    input.pipeInput('acc2', null, 5); // small: 0
    expect(read(driver, 'out', Serdes.Int32())).toEqual([
      { key: 'small', value: 10, timestamp: 1 },
      { key: 'small', value: 30, timestamp: 2 },
      { key: 'small', value: 20, timestamp: 3 },
      { key: 'big', value: 150, timestamp: 3 },
      { key: 'small', value: 25, timestamp: 4 },
      { key: 'small', value: 0, timestamp: 5 },
    ]);
  });

  it('routes the re-grouped changes through test-app-<store>-repartition', () => {
    const builder = new StreamsBuilder();
    builder
      .table('in', Consumed.with(Serdes.String(), Serdes.String()))
      .groupBy((_k, v) => ({ key: v, value: v }))
      .count(Materialized.as('per-value'));
    expect(builder.build().internalTopics('test-app').repartition).toEqual(['test-app-per-value-repartition']);
  });
});
