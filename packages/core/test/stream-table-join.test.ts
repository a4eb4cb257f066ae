import { describe, expect, it } from 'vitest';
import { Consumed, Joined, Produced, Serdes, StreamsBuilder } from '../src/index.js';
import { TestDriver } from '../src/testing.js';

// Scenarios ported from Kafka Streams' KStreamKTableJoinTest, KStreamKTableLeftJoinTest and
// KStreamGlobalKTableJoinTest. Expected outputs are worked out by hand from the join semantics.

type Out = { key: number | null; value: string; timestamp: number };
const r = (key: number | null, value: string, timestamp: number): Out => ({ key, value, timestamp });
const toStringJoiner = (value: string, tableValue: string | null) => `${value}+${tableValue}`;
const keys = [0, 1, 2, 3];

function setup(leftJoin: boolean) {
  const builder = new StreamsBuilder();
  const stream = builder.stream('stream', Consumed.with(Serdes.Int32(), Serdes.String()));
  const table = builder.table('table', Consumed.with(Serdes.Int32(), Serdes.String()));
  (leftJoin ? stream.leftJoin(table, toStringJoiner) : stream.join(table, toStringJoiner)).to(
    'out',
    Produced.with(Serdes.Int32(), Serdes.String()),
  );
  const topology = builder.build();
  const driver = new TestDriver(topology);
  const streamTopic = driver.createInputTopic('stream', Serdes.Int32(), Serdes.String());
  const tableTopic = driver.createInputTopic('table', Serdes.Int32(), Serdes.String());
  const out = driver.createOutputTopic('out', Serdes.Int32(), Serdes.String());
  return {
    topology,
    driver,
    pushToStream: (count: number, prefix: string) => {
      for (const k of keys.slice(0, count)) streamTopic.pipeInput(k, `${prefix}${k}`, k);
    },
    // table timestamps far from the stream's: a non-versioned table join ignores them
    pushToTable: (count: number, prefix: string) => {
      for (const k of keys.slice(0, count)) tableTopic.pipeInput(k, `${prefix}${k}`, 1000 + 7 * k);
    },
    deleteFromTable: (count: number) => {
      for (const k of keys.slice(0, count)) tableTopic.pipeInput(k, null, 2000);
    },
    streamTopic,
    read: (): Out[] => out.readRecordsToList().map(({ key, value, timestamp }) => ({ key, value, timestamp })),
  };
}

describe('KStream-KTable join', () => {
  it('does not join with an empty table and never on table updates (shouldNotJoinOnTableUpdates)', () => {
    const { pushToStream, pushToTable, read } = setup(false);
    pushToStream(2, 'X');
    expect(read()).toEqual([]);
    pushToTable(2, 'Y');
    expect(read()).toEqual([]);
    pushToStream(4, 'X');
    expect(read()).toEqual([r(0, 'X0+Y0', 0), r(1, 'X1+Y1', 1)]);
    pushToTable(4, 'YY');
    expect(read()).toEqual([]);
    pushToStream(4, 'X');
    expect(read()).toEqual([r(0, 'X0+YY0', 0), r(1, 'X1+YY1', 1), r(2, 'X2+YY2', 2), r(3, 'X3+YY3', 3)]);
    pushToTable(4, 'YYY');
    expect(read()).toEqual([]);
  });

  it('stops joining keys the table deleted (shouldClearTableEntryOnNullValueUpdates)', () => {
    const { pushToStream, pushToTable, deleteFromTable, read } = setup(false);
    pushToTable(4, 'Y');
    pushToStream(4, 'X');
    expect(read()).toEqual([r(0, 'X0+Y0', 0), r(1, 'X1+Y1', 1), r(2, 'X2+Y2', 2), r(3, 'X3+Y3', 3)]);
    deleteFromTable(2);
    expect(read()).toEqual([]);
    pushToStream(4, 'XX');
    expect(read()).toEqual([r(2, 'XX2+Y2', 2), r(3, 'XX3+Y3', 3)]);
  });

  it('drops stream records with a null key or value, counting them (shouldLogAndMeterWhenSkippingNull...)', () => {
    const { pushToTable, streamTopic, read, driver } = setup(false);
    pushToTable(1, 'Y');
    streamTopic.pipeInput(null, 'A', 5);
    streamTopic.pipeInput(0, null, 6);
    expect(read()).toEqual([]);
    expect(driver.droppedRecords()).toMatchObject({ 'null-key': 1, 'null-value': 1 });
  });

  it('reads a derived table through its value getter (mapValues over the source store)', () => {
    const builder = new StreamsBuilder();
    const stream = builder.stream('stream', Consumed.with(Serdes.Int32(), Serdes.String()));
    const table = builder.table('table', Consumed.with(Serdes.Int32(), Serdes.String())).mapValues((v) => v.toUpperCase());
    stream.join(table, (v, t) => `${v}+${t}`).to('out', Produced.with(Serdes.Int32(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    driver.createInputTopic('table', Serdes.Int32(), Serdes.String()).pipeInput(1, 'y', 0);
    driver.createInputTopic('stream', Serdes.Int32(), Serdes.String()).pipeInput(1, 'x', 1);
    expect(driver.createOutputTopic('out', Serdes.Int32(), Serdes.String()).readKeyValuesToList()).toEqual([{ key: 1, value: 'x+Y' }]);
  });

  it('registers the stream and table sources as a co-partition group', () => {
    const { topology } = setup(false);
    expect(topology.copartitionGroups).toEqual([['KSTREAM-SOURCE-0000000000', 'KSTREAM-SOURCE-0000000001']]);
  });

  it('repartitions a re-keyed stream, naming the topic and processor after Joined', () => {
    const builder = new StreamsBuilder();
    const stream = builder.stream('stream', Consumed.with(Serdes.Int32(), Serdes.String()));
    const table = builder.table('table', Consumed.with(Serdes.Int32(), Serdes.String()));
    stream
      .selectKey((_k, v) => Number(v))
      .join(table, (v, t) => `${v}+${t}`, Joined.as<number, string, string>('enrich'))
      .to('out', Produced.with(Serdes.Int32(), Serdes.String()));
    const topology = builder.build();
    expect(topology.internalTopicNames.has('enrich-repartition')).toBe(true);
    expect(topology.nodes.has('enrich')).toBe(true);
    expect(topology.copartitionGroups).toEqual([['KSTREAM-SOURCE-0000000001', 'enrich-repartition-source']]);
    const driver = new TestDriver(topology);
    driver.createInputTopic('table', Serdes.Int32(), Serdes.String()).pipeInput(4, 'four', 0);
    driver.createInputTopic('stream', Serdes.Int32(), Serdes.String()).pipeInput(9, '4', 1);
    expect(driver.createOutputTopic('out', Serdes.Int32(), Serdes.String()).readKeyValuesToList()).toEqual([{ key: 4, value: '4+four' }]);
  });
});

describe('KStream-KTable left join', () => {
  it('joins with an empty table and never on table updates (shouldJoinWithEmptyTableOnStreamUpdates, shouldNotJoinOnTableUpdates)', () => {
    const { pushToStream, pushToTable, read } = setup(true);
    pushToStream(2, 'X');
    expect(read()).toEqual([r(0, 'X0+null', 0), r(1, 'X1+null', 1)]);
    pushToTable(2, 'Y');
    expect(read()).toEqual([]);
    pushToStream(4, 'X');
    expect(read()).toEqual([r(0, 'X0+Y0', 0), r(1, 'X1+Y1', 1), r(2, 'X2+null', 2), r(3, 'X3+null', 3)]);
    pushToTable(4, 'YY');
    expect(read()).toEqual([]);
    pushToStream(4, 'X');
    expect(read()).toEqual([r(0, 'X0+YY0', 0), r(1, 'X1+YY1', 1), r(2, 'X2+YY2', 2), r(3, 'X3+YY3', 3)]);
  });

  it('joins deleted keys with null (shouldClearTableEntryOnNullValueUpdates)', () => {
    const { pushToStream, pushToTable, deleteFromTable, read } = setup(true);
    pushToTable(4, 'Y');
    pushToStream(4, 'X');
    expect(read()).toEqual([r(0, 'X0+Y0', 0), r(1, 'X1+Y1', 1), r(2, 'X2+Y2', 2), r(3, 'X3+Y3', 3)]);
    deleteFromTable(2);
    pushToStream(4, 'XX');
    expect(read()).toEqual([r(0, 'XX0+null', 0), r(1, 'XX1+null', 1), r(2, 'XX2+Y2', 2), r(3, 'XX3+Y3', 3)]);
  });

  it('forwards a stream record with a null key with a null table value and drops a null value', () => {
    const { streamTopic, read, driver } = setup(true);
    streamTopic.pipeInput(null, 'A', 5);
    streamTopic.pipeInput(0, null, 6);
    expect(read()).toEqual([r(null, 'A+null', 5)]);
    expect(driver.droppedRecords()).toMatchObject({ 'null-key': 0, 'null-value': 1 });
  });
});

describe('KStream-GlobalKTable join', () => {
  // values look like "X0,FKey0": the global table is keyed by the part after the comma
  const foreignKey = (_key: number | null, value: string) => {
    const parts = value.split(',');
    return parts.length > 1 ? parts[1]! : null;
  };

  function setupGlobal(leftJoin: boolean) {
    const builder = new StreamsBuilder();
    const stream = builder.stream('stream', Consumed.with(Serdes.Int32(), Serdes.String()));
    const global = builder.globalTable('global', Consumed.with(Serdes.String(), Serdes.String()));
    const joiner = (value: string, globalValue: string | null) => `${value}+${globalValue}`;
    (leftJoin ? stream.leftJoin(global, foreignKey, joiner) : stream.join(global, foreignKey, joiner)).to(
      'out',
      Produced.with(Serdes.Int32(), Serdes.String()),
    );
    const topology = builder.build();
    const driver = new TestDriver(topology);
    const streamTopic = driver.createInputTopic('stream', Serdes.Int32(), Serdes.String());
    const globalTopic = driver.createInputTopic('global', Serdes.String(), Serdes.String());
    const out = driver.createOutputTopic('out', Serdes.Int32(), Serdes.String());
    return {
      topology,
      driver,
      pushToStream: (count: number, prefix: string, withForeignKey: boolean, nullFirstKey = false) =>
        keys.slice(0, count).forEach((k, i) => {
          streamTopic.pipeInput(nullFirstKey && i === 0 ? null : k, `${prefix}${k}${withForeignKey ? `,FKey${k}` : ''}`, k);
        }),
      pushToGlobal: (count: number, prefix: string) => {
        for (const k of keys.slice(0, count)) globalTopic.pipeInput(`FKey${k}`, `${prefix}${k}`, 0);
      },
      deleteFromGlobal: (count: number) => {
        for (const k of keys.slice(0, count)) globalTopic.pipeInput(`FKey${k}`, null, 0);
      },
      read: (): Out[] => out.readRecordsToList().map(({ key, value, timestamp }) => ({ key, value, timestamp })),
    };
  }

  it('joins on the mapped key only when the global table holds it, never on table updates (shouldJoinOnlyIfMatchFoundOnStreamUpdates)', () => {
    const { pushToStream, pushToGlobal, read } = setupGlobal(false);
    pushToStream(2, 'X', true);
    expect(read()).toEqual([]);
    pushToGlobal(2, 'Y');
    expect(read()).toEqual([]);
    pushToStream(4, 'X', true);
    expect(read()).toEqual([r(0, 'X0,FKey0+Y0', 0), r(1, 'X1,FKey1+Y1', 1)]);
    pushToGlobal(4, 'YY');
    pushToStream(4, 'X', true);
    expect(read()).toEqual([r(0, 'X0,FKey0+YY0', 0), r(1, 'X1,FKey1+YY1', 1), r(2, 'X2,FKey2+YY2', 2), r(3, 'X3,FKey3+YY3', 3)]);
  });

  it('stops joining keys the global table deleted (shouldClearGlobalTableEntryOnNullValueUpdates)', () => {
    const { pushToStream, pushToGlobal, deleteFromGlobal, read } = setupGlobal(false);
    pushToGlobal(4, 'Y');
    pushToStream(4, 'X', true);
    expect(read()).toHaveLength(4);
    deleteFromGlobal(2);
    pushToStream(4, 'XX', true);
    expect(read()).toEqual([r(2, 'XX2,FKey2+Y2', 2), r(3, 'XX3,FKey3+Y3', 3)]);
  });

  it('drops records whose mapped key is null (shouldNotJoinOnNullKeyMapperValues)', () => {
    const { pushToStream, pushToGlobal, read, driver } = setupGlobal(false);
    pushToGlobal(4, 'Y');
    pushToStream(4, 'XXX', false);
    expect(read()).toEqual([]);
    expect(driver.droppedRecords()['null-key']).toBe(4);
  });

  it('joins a record with a null key through its mapped key (shouldJoinOnNullKeyWithNonNullKeyMapperValues)', () => {
    const { pushToStream, pushToGlobal, read } = setupGlobal(false);
    pushToGlobal(2, 'Y');
    pushToStream(4, 'X', true, true);
    expect(read()).toEqual([r(null, 'X0,FKey0+Y0', 0), r(1, 'X1,FKey1+Y1', 1)]);
  });

  it('left join forwards records without a match with null', () => {
    const { pushToStream, pushToGlobal, read, driver } = setupGlobal(true);
    pushToGlobal(2, 'Y');
    pushToStream(4, 'X', true);
    expect(read()).toEqual([r(0, 'X0,FKey0+Y0', 0), r(1, 'X1,FKey1+Y1', 1), r(2, 'X2,FKey2+null', 2), r(3, 'X3,FKey3+null', 3)]);
    // a null mapped key drops the record unless the record key is null too (Kafka Streams 3.7+)
    pushToStream(2, 'Z', false, true);
    expect(read()).toEqual([r(null, 'Z0+null', 0)]);
    expect(driver.droppedRecords()['null-key']).toBe(1);
  });

  it('needs neither co-partitioning nor repartitioning', () => {
    const builder = new StreamsBuilder();
    const stream = builder.stream('stream', Consumed.with(Serdes.Int32(), Serdes.String()));
    const global = builder.globalTable('global', Consumed.with(Serdes.String(), Serdes.String()));
    stream
      .selectKey((_k, v) => v.length)
      .join(global, (_k, v) => v, (v, g) => `${v}+${g}`)
      .to('out');
    const topology = builder.build();
    expect(topology.copartitionGroups).toEqual([]);
    expect(topology.internalTopicNames.size).toBe(0);
  });
});
