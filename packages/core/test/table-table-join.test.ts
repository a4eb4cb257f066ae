import { describe, expect, it } from 'vitest';
import { type Change, Consumed, type KTable, Materialized, Named, Produced, Serdes, StreamsBuilder, type ValueAndTimestamp } from '../src/index.js';
import { TestDriver } from '../src/testing.js';

// Scenarios ported from Kafka Streams' KTableKTableInnerJoinTest, KTableKTableLeftJoinTest and
// KTableKTableOuterJoinTest. Expected outputs are worked out by hand from the join semantics.

type Kind = 'join' | 'leftJoin' | 'outerJoin';
type Seen = { key: number; newValue: string | null; oldValue: string | null; timestamp: number };
const c = (key: number, newValue: string | null, oldValue: string | null, timestamp: number): Seen => ({ key, newValue, oldValue, timestamp });
const toStringJoiner = (left: string | null, right: string | null) => `${left}+${right}`;
const keys = [0, 1, 2, 3];

function joinOf(kind: Kind, left: KTable<number, string>, right: KTable<number, string>) {
  switch (kind) {
    case 'join':
      return left.join(right, toStringJoiner);
    case 'leftJoin':
      return left.leftJoin(right, toStringJoiner);
    case 'outerJoin':
      return left.outerJoin(right, toStringJoiner);
  }
}

/** Joins two tables and records the changes the result forwards (as Kafka Streams' MockApiProcessor does). */
function setup(kind: Kind, sendOldValues: boolean) {
  const builder = new StreamsBuilder();
  const left = builder.table('left', Consumed.with(Serdes.Int32(), Serdes.String()));
  const right = builder.table('right', Consumed.with(Serdes.Int32(), Serdes.String()));
  const joined = joinOf(kind, left, right);
  if (sendOldValues) joined.oldValues.enabled = true;
  const seen: Seen[] = [];
  joined.builder.addProcessor<number, Change<string>, never, never>('capture', [joined.nodeName], () => ({
    process: (record) => {
      seen.push({ key: record.key, ...record.value, timestamp: record.timestamp });
    },
  }));
  const topology = builder.build();
  const driver = new TestDriver(topology);
  return {
    topology,
    driver,
    left,
    right,
    joined,
    leftTopic: driver.createInputTopic('left', Serdes.Int32(), Serdes.String()),
    rightTopic: driver.createInputTopic('right', Serdes.Int32(), Serdes.String()),
    read: () => seen.splice(0),
  };
}

describe('KTable-KTable inner join', () => {
  it('forwards changes with old values and tombstones (testSendingOldValues)', () => {
    const { leftTopic, rightTopic, read, left, right } = setup('join', true);
    expect(left.oldValues.enabled && right.oldValues.enabled).toBe(true);
    for (const k of [0, 1]) leftTopic.pipeInput(k, `X${k}`, 5 + k);
    leftTopic.pipeInput(null, 'SomeVal', 42);
    expect(read()).toEqual([]);
    for (const k of [0, 1]) rightTopic.pipeInput(k, `Y${k}`, 10 * k);
    rightTopic.pipeInput(null, 'AnotherVal', 73);
    expect(read()).toEqual([c(0, 'X0+Y0', null, 5), c(1, 'X1+Y1', null, 10)]);
    for (const k of keys) leftTopic.pipeInput(k, `XX${k}`, 7);
    expect(read()).toEqual([c(0, 'XX0+Y0', 'X0+Y0', 7), c(1, 'XX1+Y1', 'X1+Y1', 10)]);
    for (const k of keys) rightTopic.pipeInput(k, `YY${k}`, k * 5);
    expect(read()).toEqual([
      c(0, 'XX0+YY0', 'XX0+Y0', 7),
      c(1, 'XX1+YY1', 'XX1+Y1', 7),
      c(2, 'XX2+YY2', null, 10),
      c(3, 'XX3+YY3', null, 15),
    ]);
    for (const k of keys) leftTopic.pipeInput(k, `XXX${k}`, 6);
    expect(read()).toEqual([
      c(0, 'XXX0+YY0', 'XX0+YY0', 6),
      c(1, 'XXX1+YY1', 'XX1+YY1', 6),
      c(2, 'XXX2+YY2', 'XX2+YY2', 10),
      c(3, 'XXX3+YY3', 'XX3+YY3', 15),
    ]);
    rightTopic.pipeInput(0, null, 5);
    rightTopic.pipeInput(1, null, 7);
    expect(read()).toEqual([c(0, null, 'XXX0+YY0', 6), c(1, null, 'XXX1+YY1', 7)]);
    for (const k of keys) leftTopic.pipeInput(k, `XXXX${k}`, 13);
    expect(read()).toEqual([c(2, 'XXXX2+YY2', 'XXX2+YY2', 13), c(3, 'XXXX3+YY3', 'XXX3+YY3', 15)]);
    leftTopic.pipeInput(0, null, 0);
    leftTopic.pipeInput(1, null, 42);
    leftTopic.pipeInput(2, null, 5);
    leftTopic.pipeInput(3, null, 20);
    expect(read()).toEqual([c(2, null, 'XXXX2+YY2', 10), c(3, null, 'XXXX3+YY3', 20)]);
  });

  it('forwards new values only and a tombstone when a result disappears (testNotSendingOldValues)', () => {
    const { leftTopic, rightTopic, read, left, right } = setup('join', false);
    expect(left.oldValues.enabled || right.oldValues.enabled).toBe(false);
    for (const k of [0, 1]) leftTopic.pipeInput(k, `X${k}`, 5 + k);
    for (const k of [0, 1]) rightTopic.pipeInput(k, `Y${k}`, 10 * k);
    expect(read()).toEqual([c(0, 'X0+Y0', null, 5), c(1, 'X1+Y1', null, 10)]);
    rightTopic.pipeInput(0, null, 5);
    expect(read()).toEqual([c(0, null, null, 5)]); // max(5, X0's 5)
    leftTopic.pipeInput(1, null, 42);
    expect(read()).toEqual([c(1, null, null, 42)]);
  });

  it('materializes the result and serves it as a queryable store (testQueryableJoin)', () => {
    const builder = new StreamsBuilder();
    const left = builder.table('left', Consumed.with(Serdes.Int32(), Serdes.String()));
    const right = builder.table('right', Consumed.with(Serdes.Int32(), Serdes.String()));
    const joined = left.join(right, toStringJoiner, Materialized.as<number, string>('joined').withValueSerde(Serdes.String()));
    expect(joined.queryableStoreName).toBe('joined');
    joined.toStream().to('out', Produced.with(Serdes.Int32(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    const leftTopic = driver.createInputTopic('left', Serdes.Int32(), Serdes.String());
    const rightTopic = driver.createInputTopic('right', Serdes.Int32(), Serdes.String());
    const out = driver.createOutputTopic('out', Serdes.Int32(), Serdes.String());
    leftTopic.pipeInput(0, 'X0', 5);
    rightTopic.pipeInput(0, 'Y0', 8);
    rightTopic.pipeInput(1, 'Y1', 8);
    expect(out.readRecordsToList().map(({ key, value, timestamp }) => ({ key, value, timestamp }))).toEqual([
      { key: 0, value: 'X0+Y0', timestamp: 8 },
    ]);
    const store = driver.getKeyValueStore<number, ValueAndTimestamp<string>>('joined');
    expect(store.get(0)).toEqual({ value: 'X0+Y0', timestamp: 8 });
    expect(store.get(1)).toBeUndefined();
    leftTopic.pipeInput(0, null, 9);
    expect(store.get(0)).toBeUndefined();
    expect(out.readKeyValuesToList()).toEqual([{ key: 0, value: null }]);
  });

  it('registers both tables as a co-partition group and names its processors', () => {
    const builder = new StreamsBuilder();
    const left = builder.table('left', Consumed.with(Serdes.Int32(), Serdes.String()));
    const right = builder.table('right', Consumed.with(Serdes.Int32(), Serdes.String()));
    left.join(right, toStringJoiner, undefined, Named.as('users')).toStream().to('out');
    const topology = builder.build();
    expect(topology.copartitionGroups).toEqual([['KSTREAM-SOURCE-0000000000', 'KSTREAM-SOURCE-0000000003']]);
    expect(['users', 'users-join-this', 'users-join-other'].every((n) => topology.nodes.has(n))).toBe(true);
    expect(topology.subtopologies).toHaveLength(1);
  });
});

describe('KTable-KTable left join', () => {
  it('forwards changes with old values (testSendingOldValue)', () => {
    const { leftTopic, rightTopic, read, left, right } = setup('leftJoin', true);
    expect(left.oldValues.enabled && right.oldValues.enabled).toBe(true);
    for (const k of [0, 1]) leftTopic.pipeInput(k, `X${k}`, 5 + k);
    leftTopic.pipeInput(null, 'SomeVal', 42);
    expect(read()).toEqual([c(0, 'X0+null', null, 5), c(1, 'X1+null', null, 6)]);
    for (const k of [0, 1]) rightTopic.pipeInput(k, `Y${k}`, 10 * k);
    rightTopic.pipeInput(null, 'AnotherVal', 73);
    expect(read()).toEqual([c(0, 'X0+Y0', 'X0+null', 5), c(1, 'X1+Y1', 'X1+null', 10)]);
    for (const k of keys) leftTopic.pipeInput(k, `XX${k}`, 7);
    expect(read()).toEqual([
      c(0, 'XX0+Y0', 'X0+Y0', 7),
      c(1, 'XX1+Y1', 'X1+Y1', 10),
      c(2, 'XX2+null', null, 7),
      c(3, 'XX3+null', null, 7),
    ]);
    for (const k of keys) rightTopic.pipeInput(k, `YY${k}`, k * 5);
    expect(read()).toEqual([
      c(0, 'XX0+YY0', 'XX0+Y0', 7),
      c(1, 'XX1+YY1', 'XX1+Y1', 7),
      c(2, 'XX2+YY2', 'XX2+null', 10),
      c(3, 'XX3+YY3', 'XX3+null', 15),
    ]);
    for (const k of keys) leftTopic.pipeInput(k, `XXX${k}`, 6);
    expect(read()).toEqual([
      c(0, 'XXX0+YY0', 'XX0+YY0', 6),
      c(1, 'XXX1+YY1', 'XX1+YY1', 6),
      c(2, 'XXX2+YY2', 'XX2+YY2', 10),
      c(3, 'XXX3+YY3', 'XX3+YY3', 15),
    ]);
    rightTopic.pipeInput(0, null, 5);
    rightTopic.pipeInput(1, null, 7);
    expect(read()).toEqual([c(0, 'XXX0+null', 'XXX0+YY0', 6), c(1, 'XXX1+null', 'XXX1+YY1', 7)]);
    for (const k of keys) leftTopic.pipeInput(k, `XXXX${k}`, 13);
    expect(read()).toEqual([
      c(0, 'XXXX0+null', 'XXX0+null', 13),
      c(1, 'XXXX1+null', 'XXX1+null', 13),
      c(2, 'XXXX2+YY2', 'XXX2+YY2', 13),
      c(3, 'XXXX3+YY3', 'XXX3+YY3', 15),
    ]);
    leftTopic.pipeInput(0, null, 0);
    leftTopic.pipeInput(1, null, 42);
    leftTopic.pipeInput(2, null, 5);
    leftTopic.pipeInput(3, null, 20);
    expect(read()).toEqual([
      c(0, null, 'XXXX0+null', 0),
      c(1, null, 'XXXX1+null', 42),
      c(2, null, 'XXXX2+YY2', 10),
      c(3, null, 'XXXX3+YY3', 20),
    ]);
  });

  it('sends a tombstone for a deleted left key even without a right value (testNotSendingOldValue)', () => {
    const { leftTopic, rightTopic, read, left, right } = setup('leftJoin', false);
    // the left table must send old values for this, the right one need not
    expect([left.oldValues.enabled, right.oldValues.enabled]).toEqual([true, false]);
    leftTopic.pipeInput(0, 'X0', 5);
    rightTopic.pipeInput(1, 'Y1', 6); // no left value: no result
    expect(read()).toEqual([c(0, 'X0+null', null, 5)]);
    leftTopic.pipeInput(0, null, 7);
    expect(read()).toEqual([c(0, null, null, 7)]);
    rightTopic.pipeInput(1, null, 8);
    expect(read()).toEqual([]);
  });
});

describe('KTable-KTable outer join', () => {
  it('forwards changes with old values (testSendingOldValue)', () => {
    const { leftTopic, rightTopic, read } = setup('outerJoin', true);
    for (const k of [0, 1]) leftTopic.pipeInput(k, `X${k}`, 5 + k);
    expect(read()).toEqual([c(0, 'X0+null', null, 5), c(1, 'X1+null', null, 6)]);
    for (const k of [0, 1]) rightTopic.pipeInput(k, `Y${k}`, 10 * k);
    expect(read()).toEqual([c(0, 'X0+Y0', 'X0+null', 5), c(1, 'X1+Y1', 'X1+null', 10)]);
    for (const k of keys) leftTopic.pipeInput(k, `XX${k}`, 7);
    expect(read()).toEqual([
      c(0, 'XX0+Y0', 'X0+Y0', 7),
      c(1, 'XX1+Y1', 'X1+Y1', 10),
      c(2, 'XX2+null', null, 7),
      c(3, 'XX3+null', null, 7),
    ]);
    for (const k of keys) rightTopic.pipeInput(k, `YY${k}`, k * 5);
    expect(read()).toEqual([
      c(0, 'XX0+YY0', 'XX0+Y0', 7),
      c(1, 'XX1+YY1', 'XX1+Y1', 7),
      c(2, 'XX2+YY2', 'XX2+null', 10),
      c(3, 'XX3+YY3', 'XX3+null', 15),
    ]);
    rightTopic.pipeInput(0, null, 5);
    rightTopic.pipeInput(1, null, 7);
    expect(read()).toEqual([c(0, 'XX0+null', 'XX0+YY0', 7), c(1, 'XX1+null', 'XX1+YY1', 7)]);
    for (const k of keys) leftTopic.pipeInput(k, null, k === 3 ? 20 : 5);
    expect(read()).toEqual([
      c(0, null, 'XX0+null', 5),
      c(1, null, 'XX1+null', 5),
      c(2, 'null+YY2', 'XX2+YY2', 10),
      c(3, 'null+YY3', 'XX3+YY3', 20),
    ]);
    rightTopic.pipeInput(2, null, 30);
    expect(read()).toEqual([c(2, null, 'null+YY2', 30)]);
  });

  it('keeps a result while either side holds the key and deletes it with the last one (testJoin)', () => {
    const builder = new StreamsBuilder();
    const left = builder.table('left', Consumed.with(Serdes.Int32(), Serdes.String()));
    const right = builder.table('right', Consumed.with(Serdes.Int32(), Serdes.String()));
    left.outerJoin(right, toStringJoiner).toStream().to('out', Produced.with(Serdes.Int32(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    const leftTopic = driver.createInputTopic('left', Serdes.Int32(), Serdes.String());
    const rightTopic = driver.createInputTopic('right', Serdes.Int32(), Serdes.String());
    const out = driver.createOutputTopic('out', Serdes.Int32(), Serdes.String());
    rightTopic.pipeInput(9, 'Z', 1);
    leftTopic.pipeInput(9, 'A', 2);
    rightTopic.pipeInput(9, null, 3);
    leftTopic.pipeInput(9, null, 4);
    rightTopic.pipeInput(9, null, 5); // deleting an absent key changes nothing
    expect(out.readRecordsToList().map(({ key, value, timestamp }) => ({ key, value, timestamp }))).toEqual([
      { key: 9, value: 'null+Z', timestamp: 1 },
      { key: 9, value: 'A+Z', timestamp: 2 },
      { key: 9, value: 'A+null', timestamp: 3 },
      { key: 9, value: null, timestamp: 4 },
    ]);
  });
});

describe('KTable-KTable join value getter', () => {
  it('lets a stream join read the join result through both tables stores', () => {
    const builder = new StreamsBuilder();
    const left = builder.table('left', Consumed.with(Serdes.Int32(), Serdes.String()));
    const right = builder.table('right', Consumed.with(Serdes.Int32(), Serdes.String()));
    const joined = left.leftJoin(right, toStringJoiner);
    builder
      .stream('lookups', Consumed.with(Serdes.Int32(), Serdes.String()))
      .leftJoin(joined, (v, t) => `${v}->${t}`)
      .to('out', Produced.with(Serdes.Int32(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    driver.createInputTopic('left', Serdes.Int32(), Serdes.String()).pipeInput(1, 'L1', 0);
    driver.createInputTopic('right', Serdes.Int32(), Serdes.String()).pipeInput(2, 'R2', 0);
    const lookups = driver.createInputTopic('lookups', Serdes.Int32(), Serdes.String());
    for (const k of [1, 2]) lookups.pipeInput(k, `q${k}`, 1);
    expect(driver.createOutputTopic('out', Serdes.Int32(), Serdes.String()).readKeyValuesToList()).toEqual([
      { key: 1, value: 'q1->L1+null' },
      { key: 2, value: 'q2->null' },
    ]);
  });
});
