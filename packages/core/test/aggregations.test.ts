import { describe, expect, it } from 'vitest';
import {
  Consumed,
  Grouped,
  type KStream,
  Materialized,
  Produced,
  Serdes,
  StreamsBuilder,
  type ValueAndTimestamp,
} from '../src/index.js';
import { TestDriver } from '../src/testing.js';

/**
 * Aggregations of grouped streams (Kafka Streams' KStreamAggregate / KStreamReduce, as in
 * KGroupedStreamImplTest and KStreamAggregationIntegrationTest). The TestDriver commits after
 * every record, as TopologyTestDriver does, so every update is emitted. Outputs are hand-written.
 */

function stringStream(): { builder: StreamsBuilder; stream: KStream<string, string> } {
  const builder = new StreamsBuilder();
  return { builder, stream: builder.stream('in', Consumed.with(Serdes.String(), Serdes.String())) };
}

function records<V>(driver: TestDriver, valueSerde = Serdes.Json<V>()) {
  return driver
    .createOutputTopic('out', Serdes.String(), valueSerde)
    .readRecordsToList()
    .map(({ key, value, timestamp }) => ({ key, value, timestamp }));
}

describe('count', () => {
  it('counts records per key, stamping each result with the largest record timestamp so far', () => {
    const { builder, stream } = stringStream();
    stream.groupByKey().count().toStream().to('out', Produced.with(Serdes.String(), Serdes.Json<number>()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('A', 'a', 10);
    input.pipeInput('B', 'b', 5);
    input.pipeInput('A', 'a', 3);
    input.pipeInput('A', 'a', 20);
    expect(records<number>(driver)).toEqual([
      { key: 'A', value: 1, timestamp: 10 },
      { key: 'B', value: 1, timestamp: 5 },
      { key: 'A', value: 2, timestamp: 10 },
      { key: 'A', value: 3, timestamp: 20 },
    ]);
  });

  it('counts by a new key through the repartition topic named after the store (word count)', () => {
    const { builder, stream } = stringStream();
    stream
      .flatMapValues((line) => line.split(' '))
      .groupBy((_k, word) => word)
      .count(Materialized.as('word-counts'))
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.Json<number>()));
    const topology = builder.build();
    expect(topology.internalTopics('test-app').repartition).toEqual(['test-app-word-counts-repartition']);
    const driver = new TestDriver(topology);
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('line-1', 'a b a', 1);
    input.pipeInput('line-2', 'b c', 2);
    // One commit per record read back from the repartition topic: each update is emitted.
    expect(records<number>(driver)).toEqual([
      { key: 'a', value: 1, timestamp: 1 },
      { key: 'b', value: 1, timestamp: 1 },
      { key: 'a', value: 2, timestamp: 1 },
      { key: 'b', value: 2, timestamp: 2 },
      { key: 'c', value: 1, timestamp: 2 },
    ]);
  });

  it('names the repartition topic after Grouped when given', () => {
    const { builder, stream } = stringStream();
    stream.groupBy((_k, v) => v, Grouped.as('by-value')).count(Materialized.as('counts'));
    expect(builder.build().internalTopics('app').repartition).toEqual(['app-by-value-repartition']);
  });

  it('drops records whose grouping key is null before the repartition topic, counting them', () => {
    const { builder, stream } = stringStream();
    stream
      .groupBy((_k, v) => (v.startsWith('x') ? null : v))
      .count()
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.Json<number>()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('1', 'x1', 1);
    input.pipeInput('2', 'a', 2);
    input.pipeInput('3', 'x2', 3);
    expect(records<number>(driver)).toEqual([{ key: 'a', value: 1, timestamp: 2 }]);
    expect(driver.droppedRecords()['null-key']).toBe(2);
  });

  it('drops records with a null key on groupByKey, counting them', () => {
    const { builder, stream } = stringStream();
    stream.groupByKey().count().toStream().to('out', Produced.with(Serdes.String(), Serdes.Json<number>()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput(null, 'a', 1);
    input.pipeInput('k', 'b', 2);
    expect(records<number>(driver)).toEqual([{ key: 'k', value: 1, timestamp: 2 }]);
    expect(driver.droppedRecords()['null-key']).toBe(1);
  });

  it('drops records with a null value, counting them (Kafka Streams skips null values in aggregations)', () => {
    const { builder, stream } = stringStream();
    stream.groupByKey().count().toStream().to('out', Produced.with(Serdes.String(), Serdes.Json<number>()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('k', null, 1);
    input.pipeInput('k', 'v', 2);
    expect(records<number>(driver)).toEqual([{ key: 'k', value: 1, timestamp: 2 }]);
    expect(driver.droppedRecords()['null-value']).toBe(1);
  });
});

describe('repartitioning before a grouping', () => {
  it('repartitions groupByKey after an operation that may change the key, and not after one that cannot', () => {
    const internal = (group: (stream: KStream<string, string>) => void) => {
      const { builder, stream } = stringStream();
      group(stream);
      return builder.build().internalTopics('app').repartition;
    };
    expect(internal((s) => s.groupByKey().count())).toEqual([]);
    expect(internal((s) => s.mapValues((v) => v).filter(() => true).groupByKey().count())).toEqual([]);
    expect(internal((s) => s.map((k, v) => ({ key: v, value: k })).groupByKey().count())).toEqual([
      'app-KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition',
    ]);
    expect(internal((s) => s.selectKey((_k, v) => v).mapValues((v) => v).groupByKey().count())).toEqual([
      'app-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition',
    ]);
  });

  it('counts by the new key after map + groupByKey', () => {
    const { builder, stream } = stringStream();
    stream
      .map((_k, v) => ({ key: v, value: v }))
      .groupByKey()
      .count()
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.Json<number>()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('1', 'x', 1);
    input.pipeInput('2', 'x', 2);
    expect(records<number>(driver)).toEqual([
      { key: 'x', value: 1, timestamp: 1 },
      { key: 'x', value: 2, timestamp: 2 },
    ]);
  });
});

describe('reduce', () => {
  it('takes the first value as the aggregate and combines later ones with the reducer', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.Int32()))
      .groupByKey()
      .reduce((sum, v) => sum + v, Materialized.with(Serdes.String(), Serdes.Int32()))
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.Int32()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.Int32());
    input.pipeInput('A', 1, 1);
    input.pipeInput('A', 2, 2);
    input.pipeInput('B', 5, 3);
    input.pipeInput('A', 4, 4);
    expect(records(driver, Serdes.Int32())).toEqual([
      { key: 'A', value: 1, timestamp: 1 },
      { key: 'A', value: 3, timestamp: 2 },
      { key: 'B', value: 5, timestamp: 3 },
      { key: 'A', value: 7, timestamp: 4 },
    ]);
  });

  it('uses the grouped value serde for its store when Materialized gives none', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
      .groupByKey(Grouped.with(Serdes.String(), Serdes.String()))
      .reduce((a, b) => `${a}|${b}`, Materialized.as('joined'));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('k', 'x', 1);
    input.pipeInput('k', 'y', 2);
    expect(driver.getKeyValueStore<string, ValueAndTimestamp<string>>('joined').get('k')).toEqual({ value: 'x|y', timestamp: 2 });
  });
});

describe('aggregate', () => {
  it('folds the values of each key into the aggregate, starting from the initializer', () => {
    const { builder, stream } = stringStream();
    stream
      .groupByKey()
      .aggregate(
        () => '0',
        (_k, v, agg) => `${agg}+${v}`,
        Materialized.with(Serdes.String(), Serdes.String()),
      )
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('A', '1', 10);
    input.pipeInput('B', '2', 15);
    input.pipeInput('A', '3', 12);
    input.pipeInput('B', '4', 18);
    expect(records(driver, Serdes.String())).toEqual([
      { key: 'A', value: '0+1', timestamp: 10 },
      { key: 'B', value: '0+2', timestamp: 15 },
      { key: 'A', value: '0+1+3', timestamp: 12 },
      { key: 'B', value: '0+2+4', timestamp: 18 },
    ]);
  });

  it('passes the key to the aggregator', () => {
    const { builder, stream } = stringStream();
    stream
      .groupByKey()
      .aggregate(
        () => [] as string[],
        (k, v, agg) => [...agg, `${k}=${v}`],
        Materialized.as<string, string[]>('pairs'),
      );
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('k', 'a', 1);
    input.pipeInput('k', 'b', 2);
    expect(driver.getKeyValueStore<string, ValueAndTimestamp<string[]>>('pairs').get('k')?.value).toEqual(['k=a', 'k=b']);
  });
});

describe('Materialized stores', () => {
  it('makes the aggregate queryable under its name, as ValueAndTimestamp values', () => {
    const { builder, stream } = stringStream();
    stream.groupByKey().count(Materialized.as<string, number>('counts').withKeySerde(Serdes.String()).withValueSerde(Serdes.Int32()));
    const topology = builder.build();
    expect(topology.internalTopics('test-app').changelogs).toEqual(new Map([['counts', 'test-app-counts-changelog']]));
    const driver = new TestDriver(topology);
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('b', 'x', 7);
    input.pipeInput('a', 'x', 3);
    input.pipeInput('b', 'x', 5);
    const store = driver.getKeyValueStore<string, ValueAndTimestamp<number>>('counts');
    expect(store.get('a')).toEqual({ value: 1, timestamp: 3 });
    expect(store.get('b')).toEqual({ value: 2, timestamp: 7 });
    expect(store.get('c')).toBeUndefined();
    expect([...store.all()]).toEqual([
      { key: 'a', value: { value: 1, timestamp: 3 } },
      { key: 'b', value: { value: 2, timestamp: 7 } },
    ]);
  });

  it('has no changelog when logging is disabled', () => {
    const { builder, stream } = stringStream();
    stream.groupByKey().count(Materialized.as<string, number>('counts').withLoggingDisabled());
    expect(builder.build().internalTopics('app').changelogs.size).toBe(0);
  });

  it('emits one update per key per commit when caching and committing explicitly, in order of last update', () => {
    const { builder, stream } = stringStream();
    stream.groupByKey().count().toStream().to('out', Produced.with(Serdes.String(), Serdes.Json<number>()));
    const driver = new TestDriver(builder.build(), { commitEveryRecord: false });
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('A', 'x', 1);
    input.pipeInput('B', 'x', 2);
    input.pipeInput('A', 'x', 3);
    expect(records(driver)).toEqual([]);
    driver.commit();
    expect(records<number>(driver)).toEqual([
      { key: 'B', value: 1, timestamp: 2 },
      { key: 'A', value: 2, timestamp: 3 },
    ]);
  });

  it('emits every update at once when caching is disabled, even without a commit', () => {
    const { builder, stream } = stringStream();
    stream
      .groupByKey()
      .count(Materialized.as<string, number>('counts').withCachingDisabled())
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.Json<number>()));
    const driver = new TestDriver(builder.build(), { commitEveryRecord: false });
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('A', 'x', 1);
    input.pipeInput('A', 'x', 2);
    expect(records<number>(driver)).toEqual([
      { key: 'A', value: 1, timestamp: 1 },
      { key: 'A', value: 2, timestamp: 2 },
    ]);
  });
});
