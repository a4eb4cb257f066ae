import { describe, expect, it } from 'vitest';
import { Consumed, JoinWindows, type KStream, Produced, Serdes, StreamJoined, StreamsBuilder } from '../src/index.js';
import { TestDriver } from '../src/testing.js';

// Scenarios ported from Kafka Streams' KStreamKStreamJoinTest, KStreamKStreamLeftJoinTest and
// KStreamKStreamOuterJoinTest. Expected outputs are worked out by hand from the join semantics.

type Kind = 'join' | 'leftJoin' | 'outerJoin';
type Out = { key: number | null; value: string; timestamp: number };

const toStringJoiner = (left: string | null, right: string | null) => `${left}+${right}`;
const r = (key: number | null, value: string, timestamp: number): Out => ({ key, value, timestamp });

function joinOf(kind: Kind, left: KStream<number, string>, right: KStream<number, string>, windows: JoinWindows, joined?: StreamJoined<number, string, string>) {
  switch (kind) {
    case 'join':
      return left.join(right, toStringJoiner, windows, joined);
    case 'leftJoin':
      return left.leftJoin(right, toStringJoiner, windows, joined);
    case 'outerJoin':
      return left.outerJoin(right, toStringJoiner, windows, joined);
  }
}

function setup(kind: Kind, windows: JoinWindows) {
  const builder = new StreamsBuilder();
  const left = builder.stream('left', Consumed.with(Serdes.Int32(), Serdes.String()));
  const right = builder.stream('right', Consumed.with(Serdes.Int32(), Serdes.String()));
  joinOf(kind, left, right, windows).to('out', Produced.with(Serdes.Int32(), Serdes.String()));
  const topology = builder.build();
  const driver = new TestDriver(topology);
  const l = driver.createInputTopic('left', Serdes.Int32(), Serdes.String());
  const rt = driver.createInputTopic('right', Serdes.Int32(), Serdes.String());
  const out = driver.createOutputTopic('out', Serdes.Int32(), Serdes.String());
  const read = (): Out[] => out.readRecordsToList().map(({ key, value, timestamp }) => ({ key, value, timestamp }));
  return { topology, driver, left: l, right: rt, read };
}

const keys = [0, 1, 2, 3];
/** A null key where the stream's key type is a number (as null keys arrive at runtime). */
const nullKey = null as unknown as number;

describe('KStream-KStream inner join', () => {
  it('joins every pair of records of one key, duplicates included (testJoin)', () => {
    const { left, right, read } = setup('join', JoinWindows.ofTimeDifferenceWithNoGrace(100));
    for (const k of [0, 1]) left.pipeInput(k, `A${k}`, 0);
    expect(read()).toEqual([]);
    for (const k of [0, 1]) right.pipeInput(k, `a${k}`, 0);
    expect(read()).toEqual([r(0, 'A0+a0', 0), r(1, 'A1+a1', 0)]);
    for (const k of keys) left.pipeInput(k, `B${k}`, 0);
    expect(read()).toEqual([r(0, 'B0+a0', 0), r(1, 'B1+a1', 0)]);
    for (const k of keys) right.pipeInput(k, `b${k}`, 0);
    expect(read()).toEqual([
      r(0, 'A0+b0', 0),
      r(0, 'B0+b0', 0),
      r(1, 'A1+b1', 0),
      r(1, 'B1+b1', 0),
      r(2, 'B2+b2', 0),
      r(3, 'B3+b3', 0),
    ]);
    for (const k of keys) left.pipeInput(k, `C${k}`, 0);
    expect(read()).toEqual([
      r(0, 'C0+a0', 0),
      r(0, 'C0+b0', 0),
      r(1, 'C1+a1', 0),
      r(1, 'C1+b1', 0),
      r(2, 'C2+b2', 0),
      r(3, 'C3+b3', 0),
    ]);
    for (const k of [0, 1]) right.pipeInput(k, `c${k}`, 0);
    expect(read()).toEqual([
      r(0, 'A0+c0', 0),
      r(0, 'B0+c0', 0),
      r(0, 'C0+c0', 0),
      r(1, 'A1+c1', 0),
      r(1, 'B1+c1', 0),
      r(1, 'C1+c1', 0),
    ]);
  });

  it('joins exactly within [t - before, t + after], bounds included (testWindowing)', () => {
    // Kafka Streams' parameters: no grace; the out-of-order records are not dropped, they probe
    // the other side's store (retention 200: before + after + grace).
    const { left, right, read, driver, topology } = setup('join', JoinWindows.ofTimeDifferenceWithNoGrace(100));
    expect(topology.copartitionGroups).toEqual([['KSTREAM-SOURCE-0000000000', 'KSTREAM-SOURCE-0000000001']]);
    for (const k of [0, 1]) left.pipeInput(k, `A${k}`, 0);
    expect(read()).toEqual([]);
    for (const k of [0, 1]) right.pipeInput(k, `a${k}`, 0);
    expect(read()).toEqual([r(0, 'A0+a0', 0), r(1, 'A1+a1', 0)]);

    // left B0..B3 at 1000..1003; right records at 1100..1104 probe [t - 100, t + 100]
    for (const k of keys) left.pipeInput(k, `B${k}`, 1000 + k);
    expect(read()).toEqual([]);
    for (const k of keys) right.pipeInput(k, `b${k}`, 1100);
    expect(read()).toEqual([r(0, 'B0+b0', 1100), r(1, 'B1+b1', 1100), r(2, 'B2+b2', 1100), r(3, 'B3+b3', 1100)]);
    for (const k of keys) right.pipeInput(k, `c${k}`, 1101);
    expect(read()).toEqual([r(1, 'B1+c1', 1101), r(2, 'B2+c2', 1101), r(3, 'B3+c3', 1101)]);
    for (const k of keys) right.pipeInput(k, `d${k}`, 1102);
    expect(read()).toEqual([r(2, 'B2+d2', 1102), r(3, 'B3+d3', 1102)]);
    for (const k of keys) right.pipeInput(k, `e${k}`, 1103);
    expect(read()).toEqual([r(3, 'B3+e3', 1103)]);
    for (const k of keys) right.pipeInput(k, `f${k}`, 1104);
    expect(read()).toEqual([]);

    // lower bound: right records before the left ones, out of order and past their window end
    // (stream time 1104); B0..B3 are still retained by the left store (1003 - 200 < 1000)
    for (const k of keys) right.pipeInput(k, `g${k}`, 899);
    expect(read()).toEqual([]);
    for (const k of keys) right.pipeInput(k, `h${k}`, 900);
    expect(read()).toEqual([r(0, 'B0+h0', 1000)]);
    for (const k of keys) right.pipeInput(k, `i${k}`, 901);
    expect(read()).toEqual([r(0, 'B0+i0', 1000), r(1, 'B1+i1', 1001)]);
    for (const k of keys) right.pipeInput(k, `j${k}`, 902);
    expect(read()).toEqual([r(0, 'B0+j0', 1000), r(1, 'B1+j1', 1001), r(2, 'B2+j2', 1002)]);
    for (const k of keys) right.pipeInput(k, `k${k}`, 903);
    expect(read()).toEqual([r(0, 'B0+k0', 1000), r(1, 'B1+k1', 1001), r(2, 'B2+k2', 1002), r(3, 'B3+k3', 1003)]);

    // the same from the other side: right l0..l3 at 2000..2003, left records probe them
    for (const k of keys) right.pipeInput(k, `l${k}`, 2000 + k);
    expect(read()).toEqual([]);
    for (const k of keys) left.pipeInput(k, `C${k}`, 2100);
    expect(read()).toEqual([r(0, 'C0+l0', 2100), r(1, 'C1+l1', 2100), r(2, 'C2+l2', 2100), r(3, 'C3+l3', 2100)]);
    for (const k of keys) left.pipeInput(k, `D${k}`, 2101);
    expect(read()).toEqual([r(1, 'D1+l1', 2101), r(2, 'D2+l2', 2101), r(3, 'D3+l3', 2101)]);
    for (const k of keys) left.pipeInput(k, `E${k}`, 2102);
    expect(read()).toEqual([r(2, 'E2+l2', 2102), r(3, 'E3+l3', 2102)]);
    for (const k of keys) left.pipeInput(k, `F${k}`, 2103);
    expect(read()).toEqual([r(3, 'F3+l3', 2103)]);
    for (const k of keys) left.pipeInput(k, `G${k}`, 2104);
    expect(read()).toEqual([]);
    for (const k of keys) left.pipeInput(k, `H${k}`, 1899);
    expect(read()).toEqual([]);
    for (const k of keys) left.pipeInput(k, `I${k}`, 1900);
    expect(read()).toEqual([r(0, 'I0+l0', 2000)]);
    for (const k of keys) left.pipeInput(k, `J${k}`, 1901);
    expect(read()).toEqual([r(0, 'J0+l0', 2000), r(1, 'J1+l1', 2001)]);
    for (const k of keys) left.pipeInput(k, `K${k}`, 1902);
    expect(read()).toEqual([r(0, 'K0+l0', 2000), r(1, 'K1+l1', 2001), r(2, 'K2+l2', 2002)]);
    for (const k of keys) left.pipeInput(k, `L${k}`, 1903);
    expect(read()).toEqual([r(0, 'L0+l0', 2000), r(1, 'L1+l1', 2001), r(2, 'L2+l2', 2002), r(3, 'L3+l3', 2003)]);
    expect(driver.droppedRecords().late).toBe(0);
  });

  it('uses after for the other side later and before for it earlier (testAsymmetricWindowingAfter)', () => {
    // before = 0, after = 100: a right record joins left records at [t - 100, t]
    const { left, right, read, driver } = setup('join', JoinWindows.ofTimeDifferenceWithNoGrace(0).after(100));
    for (const k of keys) left.pipeInput(k, `A${k}`, 1000 + k);
    expect(read()).toEqual([]);
    // out of order (stream time 1003): not dropped
    for (const k of keys) right.pipeInput(k, `a${k}`, 999);
    expect(read()).toEqual([]);
    for (const k of keys) right.pipeInput(k, `b${k}`, 1000);
    expect(read()).toEqual([r(0, 'A0+b0', 1000)]);
    for (const k of keys) right.pipeInput(k, `c${k}`, 1001);
    expect(read()).toEqual([r(0, 'A0+c0', 1001), r(1, 'A1+c1', 1001)]);
    for (const k of keys) right.pipeInput(k, `d${k}`, 1002);
    expect(read()).toEqual([r(0, 'A0+d0', 1002), r(1, 'A1+d1', 1002), r(2, 'A2+d2', 1002)]);
    for (const k of keys) right.pipeInput(k, `e${k}`, 1003);
    expect(read()).toEqual([r(0, 'A0+e0', 1003), r(1, 'A1+e1', 1003), r(2, 'A2+e2', 1003), r(3, 'A3+e3', 1003)]);
    for (const k of keys) right.pipeInput(k, `f${k}`, 1100);
    expect(read()).toEqual([r(0, 'A0+f0', 1100), r(1, 'A1+f1', 1100), r(2, 'A2+f2', 1100), r(3, 'A3+f3', 1100)]);
    for (const k of keys) right.pipeInput(k, `g${k}`, 1101);
    expect(read()).toEqual([r(1, 'A1+g1', 1101), r(2, 'A2+g2', 1101), r(3, 'A3+g3', 1101)]);
    for (const k of keys) right.pipeInput(k, `h${k}`, 1102);
    expect(read()).toEqual([r(2, 'A2+h2', 1102), r(3, 'A3+h3', 1102)]);
    for (const k of keys) right.pipeInput(k, `i${k}`, 1103);
    expect(read()).toEqual([r(3, 'A3+i3', 1103)]);
    for (const k of keys) right.pipeInput(k, `j${k}`, 1104);
    expect(read()).toEqual([]);
    expect(driver.droppedRecords().late).toBe(0);
  });

  it('uses before for the other side earlier (testAsymmetricWindowingBefore)', () => {
    // before = 100, after = 0: a right record joins left records at [t, t + 100]
    const { left, right, read, driver } = setup('join', JoinWindows.ofTimeDifferenceWithNoGrace(0).before(100));
    for (const k of keys) left.pipeInput(k, `A${k}`, 1000 + k);
    expect(read()).toEqual([]);
    // every right record below is out of order (stream time 1003) and past its window end
    for (const k of keys) right.pipeInput(k, `a${k}`, 899);
    expect(read()).toEqual([]);
    for (const k of keys) right.pipeInput(k, `b${k}`, 900);
    expect(read()).toEqual([r(0, 'A0+b0', 1000)]);
    for (const k of keys) right.pipeInput(k, `c${k}`, 901);
    expect(read()).toEqual([r(0, 'A0+c0', 1000), r(1, 'A1+c1', 1001)]);
    for (const k of keys) right.pipeInput(k, `d${k}`, 902);
    expect(read()).toEqual([r(0, 'A0+d0', 1000), r(1, 'A1+d1', 1001), r(2, 'A2+d2', 1002)]);
    for (const k of keys) right.pipeInput(k, `e${k}`, 903);
    expect(read()).toEqual([r(0, 'A0+e0', 1000), r(1, 'A1+e1', 1001), r(2, 'A2+e2', 1002), r(3, 'A3+e3', 1003)]);
    for (const k of keys) right.pipeInput(k, `f${k}`, 1000);
    expect(read()).toEqual([r(0, 'A0+f0', 1000), r(1, 'A1+f1', 1001), r(2, 'A2+f2', 1002), r(3, 'A3+f3', 1003)]);
    for (const k of keys) right.pipeInput(k, `g${k}`, 1001);
    expect(read()).toEqual([r(1, 'A1+g1', 1001), r(2, 'A2+g2', 1002), r(3, 'A3+g3', 1003)]);
    for (const k of keys) right.pipeInput(k, `h${k}`, 1002);
    expect(read()).toEqual([r(2, 'A2+h2', 1002), r(3, 'A3+h3', 1003)]);
    for (const k of keys) right.pipeInput(k, `i${k}`, 1003);
    expect(read()).toEqual([r(3, 'A3+i3', 1003)]);
    for (const k of keys) right.pipeInput(k, `j${k}`, 1004);
    expect(read()).toEqual([]);
    expect(driver.droppedRecords().late).toBe(0);
  });

  it('joins a record past its window end plus grace with the partners the other store still retains', () => {
    // retention of each store: before + after + grace = 250 behind the largest timestamp put into it
    const { left, right, read, driver } = setup('join', JoinWindows.ofTimeDifferenceAndGrace(100, 50));
    left.pipeInput(0, 'A', 1000);
    right.pipeInput(1, 'X', 1300); // stream time 1300
    // a's window [1000, 1200] closed at 1200 + 50 < 1300; A is still retained (left store at 1000)
    right.pipeInput(0, 'a', 1100);
    expect(read()).toEqual([r(0, 'A+a', 1100)]);
    // a was kept too (right store at 1300 retains 1051 and later): B, also past its window, joins it
    left.pipeInput(0, 'B', 1140);
    expect(read()).toEqual([r(0, 'B+a', 1140)]);
    expect(driver.droppedRecords().late).toBe(0);
  });

  it('finds nothing for a record older than the stores retain (before + after + grace)', () => {
    const { left, right, read, driver } = setup('join', JoinWindows.ofTimeDifferenceAndGrace(100, 50));
    left.pipeInput(0, 'A', 1000);
    left.pipeInput(1, 'Y', 1300); // the left store now retains 1300 - 250 + 1 = 1051 and later
    right.pipeInput(1, 'X', 1300);
    // b's window [950, 1150] holds A, but A is out of the left store's retention
    right.pipeInput(0, 'b', 1050);
    expect(read()).toEqual([r(1, 'Y+X', 1300)]);
    expect(driver.droppedRecords().late).toBe(0);
  });

  it('drops records with a null key or value, counting them', () => {
    const { left, right, read, driver } = setup('join', JoinWindows.ofTimeDifferenceWithNoGrace(100));
    left.pipeInput(null, 'A', 0);
    right.pipeInput(null, 'a', 0);
    left.pipeInput(0, null, 0);
    right.pipeInput(0, 'b', 0);
    expect(read()).toEqual([]);
    expect(driver.droppedRecords()).toMatchObject({ 'null-key': 2, 'null-value': 1 });
  });

  it('registers both inputs as a co-partition group and names its stores', () => {
    const { topology } = setup('join', JoinWindows.ofTimeDifferenceWithNoGrace(100));
    expect(topology.copartitionGroups).toEqual([['KSTREAM-SOURCE-0000000000', 'KSTREAM-SOURCE-0000000001']]);
    expect([...topology.stores.keys()]).toEqual(['KSTREAM-JOINTHIS-0000000002-store', 'KSTREAM-JOINOTHER-0000000003-store']);
    const store = topology.stores.get('KSTREAM-JOINTHIS-0000000002-store')!;
    // Kafka Streams' join stores: window size before + after, retention before + after + grace
    expect(store).toMatchObject({ type: 'window', logging: true, caching: false, windowSizeMs: 200, retentionMs: 200 });
  });
});

describe('KStream-KStream left join', () => {
  it('emits non-joined duplicates once the window closes and joined duplicates at once (testLeftJoinDuplicates)', () => {
    const { left, right, read, driver } = setup('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 10));
    left.pipeInput(0, 'A0', 0);
    left.pipeInput(0, 'A0-0', 0);
    expect(read()).toEqual([]);
    right.pipeInput(1, 'a0', 111); // 0 + 100 + 10 < 111: the window of A0 closed
    right.pipeInput(2, 'dummy', 500);
    expect(read()).toEqual([r(0, 'A0+null', 0), r(0, 'A0-0+null', 0)]);

    left.pipeInput(2, 'A2', 1000);
    left.pipeInput(2, 'A2-0', 1000);
    right.pipeInput(2, 'a2', 1001);
    expect(read()).toEqual([r(2, 'A2+a2', 1001), r(2, 'A2-0+a2', 1001)]);

    // out of order by far: processed (not dropped), finds no partner; a right record of a left
    // join yields nothing on its own
    right.pipeInput(3, 'a3', 315);
    expect(read()).toEqual([]);
    expect(driver.droppedRecords().late).toBe(0);
  });

  it('emits expired non-joined left records from the left processor (testLeftExpiredNonJoinedRecordsAreEmittedByTheLeftProcessor)', () => {
    const { left, right, read } = setup('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 0));
    left.pipeInput(0, 'A0', 1);
    left.pipeInput(1, 'A1', 2);
    left.pipeInput(0, 'A0-0', 3);
    expect(read()).toEqual([]);
    right.pipeInput(1, 'a1', 3);
    expect(read()).toEqual([r(1, 'A1+a1', 3)]);
    left.pipeInput(2, 'dummy', 401);
    expect(read()).toEqual([r(0, 'A0+null', 1), r(0, 'A0-0+null', 3)]);
    right.pipeInput(2, 'dummy', 401);
    expect(read()).toEqual([r(2, 'dummy+dummy', 401)]);
  });

  it('emits expired non-joined left records from the right processor (testLeftExpiredNonJoinedRecordsAreEmittedByTheRightProcessor)', () => {
    const { left, right, read } = setup('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 0));
    left.pipeInput(0, 'A0', 1);
    left.pipeInput(1, 'A1', 2);
    left.pipeInput(0, 'A0-0', 3);
    right.pipeInput(1, 'a1', 3);
    expect(read()).toEqual([r(1, 'A1+a1', 3)]);
    right.pipeInput(2, 'dummy', 401);
    expect(read()).toEqual([r(0, 'A0+null', 1), r(0, 'A0-0+null', 3)]);
    left.pipeInput(2, 'dummy', 402);
    expect(read()).toEqual([r(2, 'dummy+dummy', 402)]);
  });

  it('never emits non-joined right records from the left processor (testRightNonJoinedRecordsAreNeverEmittedByTheLeftProcessor)', () => {
    const { left, right, read } = setup('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 0));
    right.pipeInput(0, 'A0', 1);
    right.pipeInput(1, 'A1', 2);
    right.pipeInput(0, 'A0-0', 3);
    expect(read()).toEqual([]);
    left.pipeInput(1, 'a1', 3);
    expect(read()).toEqual([r(1, 'a1+A1', 3)]);
    left.pipeInput(2, 'dummy', 401);
    expect(read()).toEqual([]);
    right.pipeInput(2, 'dummy', 402);
    expect(read()).toEqual([r(2, 'dummy+dummy', 402)]);
  });

  it('never emits non-joined right records from the right processor (testRightNonJoinedRecordsAreNeverEmittedByTheRightProcessor)', () => {
    const { left, right, read } = setup('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100));
    right.pipeInput(0, 'A0', 1);
    right.pipeInput(1, 'A1', 2);
    right.pipeInput(0, 'A0-0', 3);
    expect(read()).toEqual([]);
    left.pipeInput(1, 'a1', 3);
    expect(read()).toEqual([r(1, 'a1+A1', 3)]);
    right.pipeInput(2, 'dummy', 401);
    expect(read()).toEqual([]);
    left.pipeInput(2, 'dummy', 402);
    expect(read()).toEqual([r(2, 'dummy+dummy', 402)]);
  });

  it('emits a left record at once when a later one ends its window, and still joins it (testLeftJoinedRecordsWithZeroAfterAreEmitted)', () => {
    // before = 100, after = 0: a left record's window [t - 100, t] ends as soon as stream time passes t
    const { left, right, read, driver } = setup('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100).after(0));
    for (const k of keys) left.pipeInput(k, `A${k}`, 1000 + k);
    expect(read()).toEqual([r(0, 'A0+null', 1000), r(1, 'A1+null', 1001), r(2, 'A2+null', 1002)]);
    // out of order: a right record at t joins the left records at [t, t + 100]
    for (const k of keys) right.pipeInput(k, `a${k}`, 999);
    expect(read()).toEqual([r(0, 'A0+a0', 1000), r(1, 'A1+a1', 1001), r(2, 'A2+a2', 1002), r(3, 'A3+a3', 1003)]);
    for (const k of keys) right.pipeInput(k, `b${k}`, 1000);
    expect(read()).toEqual([r(0, 'A0+b0', 1000), r(1, 'A1+b1', 1001), r(2, 'A2+b2', 1002), r(3, 'A3+b3', 1003)]);
    for (const k of keys) right.pipeInput(k, `c${k}`, 1001);
    expect(read()).toEqual([r(1, 'A1+c1', 1001), r(2, 'A2+c2', 1002), r(3, 'A3+c3', 1003)]);
    for (const k of keys) right.pipeInput(k, `d${k}`, 1002);
    expect(read()).toEqual([r(2, 'A2+d2', 1002), r(3, 'A3+d3', 1003)]);
    for (const k of keys) right.pipeInput(k, `e${k}`, 1003);
    expect(read()).toEqual([r(3, 'A3+e3', 1003)]);
    for (const k of keys) right.pipeInput(k, `f${k}`, 1100);
    expect(read()).toEqual([]);
    expect(driver.droppedRecords().late).toBe(0);
  });

  it('emits a left record whose window has already ended at once with null (within grace, too)', () => {
    const { left, right, read, driver } = setup('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 50));
    left.pipeInput(1, 'X', 1200); // stream time 1200; X waits
    // A's window [990, 1190] has ended (1190 < 1200), though not closed (1190 + 50 >= 1200): no
    // partner, so A + null at once
    left.pipeInput(0, 'A', 1090);
    expect(read()).toEqual([r(0, 'A+null', 1090)]);
    // B's window [1000, 1200] has not ended: B waits
    left.pipeInput(0, 'B', 1100);
    expect(read()).toEqual([]);
    // a partner for both: A (already emitted with null) joins too; B no longer waits
    right.pipeInput(0, 'a', 1150);
    expect(read()).toEqual([r(0, 'A+a', 1150), r(0, 'B+a', 1150)]);
    // X closes at 1200 + 100 + 50 < 1351
    right.pipeInput(9, 'y', 1351);
    expect(read()).toEqual([r(1, 'X+null', 1200)]);
    expect(driver.droppedRecords().late).toBe(0);
  });

  it('skips the scan for closed records while min time + after + grace >= stream time, min time being the last entry scanned (Kafka Streams TimeTracker.minTime)', () => {
    const { left, read } = setup('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100));
    left.pipeInput(0, 'A', 0); // min time 0
    left.pipeInput(1, 'B', 50);
    left.pipeInput(2, 'C', 60);
    expect(read()).toEqual([]);
    // 0 + 100 < 101: scan; A closed, B and C still open; the scan ends on C: min time 60
    left.pipeInput(3, 'D', 101);
    expect(read()).toEqual([r(0, 'A+null', 0)]);
    // B closed at 50 + 100 < 155, but 60 + 100 >= 155: no scan yet
    left.pipeInput(4, 'E', 155);
    expect(read()).toEqual([]);
    left.pipeInput(5, 'F', 161);
    expect(read()).toEqual([r(1, 'B+null', 50), r(2, 'C+null', 60)]);
  });

  it('holds non-joined records through the grace period (testGracePeriod)', () => {
    const { left, right, read, topology } = setup('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 10));
    for (const k of [0, 1]) left.pipeInput(k, `A${k}`, 0);
    expect(read()).toEqual([]);
    // after the window ended (0 + 100) but within grace: no join, nothing emitted yet
    for (const k of keys) right.pipeInput(k, `a${k}`, 101);
    expect(read()).toEqual([]);
    right.pipeInput(0, 'dummy', 1201);
    expect(read()).toEqual([r(0, 'A0+null', 0), r(1, 'A1+null', 0)]);
    expect(topology.copartitionGroups).toEqual([['KSTREAM-SOURCE-0000000000', 'KSTREAM-SOURCE-0000000001']]);
  });

  it('emits a non-joined record exactly when stream time passes its window end plus grace', () => {
    const { left, right, read } = setup('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 10));
    left.pipeInput(0, 'A', 0);
    right.pipeInput(9, 'x', 110); // 0 + 100 + 10 = 110: still open
    expect(read()).toEqual([]);
    right.pipeInput(9, 'y', 111);
    expect(read()).toEqual([r(0, 'A+null', 0)]);
  });

  it('does not emit a non-joined result for a record joined later within grace', () => {
    const { left, right, read } = setup('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 50));
    left.pipeInput(0, 'A', 1000);
    right.pipeInput(9, 'x', 1120); // A's window [900, 1100] has ended, grace runs until 1150
    right.pipeInput(0, 'a', 1100); // out of order: joins A, which no longer waits
    right.pipeInput(9, 'y', 2000); // closes every window
    expect(read()).toEqual([r(0, 'A+a', 1100)]);
  });

  it('does not emit a left result for a record joined at the asymmetric window bound (shouldNotEmitLeftJoinResultForAsymmetricWindow)', () => {
    const { left, right, read } = setup('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100).before(0));
    left.pipeInput(0, 'A0', 0);
    left.pipeInput(1, 'A1', 1);
    expect(read()).toEqual([]);
    right.pipeInput(0, 'a0', 100);
    expect(read()).toEqual([r(0, 'A0+a0', 100)]);
    right.pipeInput(1, 'a1', 102);
    expect(read()).toEqual([r(1, 'A1+null', 1)]);
  });

  it('emits the closed non-joined record before the join result of the record that closed it (testOrdering)', () => {
    const { left, right, read } = setup('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100));
    left.pipeInput(0, 'A0', 0);
    left.pipeInput(1, 'A1', 100);
    expect(read()).toEqual([]);
    right.pipeInput(1, 'a1', 110);
    expect(read()).toEqual([r(0, 'A0+null', 0), r(1, 'A1+a1', 110)]);
  });

  it('joins within the window bounds, emits waiting records when their windows close and ended ones at once (testWindowing)', () => {
    const { left, right, read, topology } = setup('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100));
    expect(topology.copartitionGroups).toEqual([['KSTREAM-SOURCE-0000000000', 'KSTREAM-SOURCE-0000000001']]);
    for (const k of [0, 1]) left.pipeInput(k, `A${k}`, 0);
    expect(read()).toEqual([]);
    for (const k of keys) right.pipeInput(k, `a${k}`, 0);
    expect(read()).toEqual([r(0, 'A0+a0', 0), r(1, 'A1+a1', 0)]);

    // upper bound (testUpperWindowBound)
    for (const k of keys) right.pipeInput(k, `b${k}`, 1000 + k);
    expect(read()).toEqual([]);
    for (const k of keys) left.pipeInput(k, `B${k}`, 1100);
    expect(read()).toEqual([r(0, 'B0+b0', 1100), r(1, 'B1+b1', 1100), r(2, 'B2+b2', 1100), r(3, 'B3+b3', 1100)]);
    for (const k of keys) left.pipeInput(k, `C${k}`, 1101);
    expect(read()).toEqual([r(1, 'C1+b1', 1101), r(2, 'C2+b2', 1101), r(3, 'C3+b3', 1101)]);
    for (const k of keys) left.pipeInput(k, `D${k}`, 1102);
    expect(read()).toEqual([r(2, 'D2+b2', 1102), r(3, 'D3+b3', 1102)]);
    for (const k of keys) left.pipeInput(k, `E${k}`, 1103);
    expect(read()).toEqual([r(3, 'E3+b3', 1103)]);
    for (const k of keys) left.pipeInput(k, `F${k}`, 1104);
    expect(read()).toEqual([]);
    left.pipeInput(0, 'dummy', 1405);
    expect(read()).toEqual([
      r(0, 'C0+null', 1101),
      r(0, 'D0+null', 1102),
      r(1, 'D1+null', 1102),
      r(0, 'E0+null', 1103),
      r(1, 'E1+null', 1103),
      r(2, 'E2+null', 1103),
      r(0, 'F0+null', 1104),
      r(1, 'F1+null', 1104),
      r(2, 'F2+null', 1104),
      r(3, 'F3+null', 1104),
    ]);

    // lower bound (testLowerWindowBound): stream time is 1405, so every left record below has an
    // ended window ([t - 100, t + 100], t + 100 < 1405): joined with the b's the right store still
    // retains (1003 - 200 < 1000), and emitted with null at once when it finds none
    for (const k of keys) left.pipeInput(k, `G${k}`, 899);
    expect(read()).toEqual([r(0, 'G0+null', 899), r(1, 'G1+null', 899), r(2, 'G2+null', 899), r(3, 'G3+null', 899)]);
    for (const k of keys) left.pipeInput(k, `H${k}`, 900);
    expect(read()).toEqual([r(0, 'H0+b0', 1000), r(1, 'H1+null', 900), r(2, 'H2+null', 900), r(3, 'H3+null', 900)]);
    for (const k of keys) left.pipeInput(k, `I${k}`, 901);
    expect(read()).toEqual([r(0, 'I0+b0', 1000), r(1, 'I1+b1', 1001), r(2, 'I2+null', 901), r(3, 'I3+null', 901)]);
    for (const k of keys) left.pipeInput(k, `J${k}`, 902);
    expect(read()).toEqual([r(0, 'J0+b0', 1000), r(1, 'J1+b1', 1001), r(2, 'J2+b2', 1002), r(3, 'J3+null', 902)]);
    for (const k of keys) left.pipeInput(k, `K${k}`, 903);
    expect(read()).toEqual([r(0, 'K0+b0', 1000), r(1, 'K1+b1', 1001), r(2, 'K2+b2', 1002), r(3, 'K3+b3', 1003)]);
    // out of order, window [1103, 1303] ended: nothing waits any more, only dummy + null at once
    left.pipeInput(0, 'dummy', 1203);
    expect(read()).toEqual([r(0, 'dummy+null', 1203)]);
  });

  it('forwards a left record with a null key at once and drops a right one', () => {
    const { left, right, read, driver } = setup('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100));
    left.pipeInput(null, 'A', 5);
    right.pipeInput(null, 'a', 6);
    expect(read()).toEqual([r(null, 'A+null', 5)]);
    expect(driver.droppedRecords()['null-key']).toBe(1);
  });
});

describe('KStream-KStream outer join', () => {
  it('emits non-joined duplicates of both sides when their windows close (testOuterJoinDuplicates)', () => {
    const { left, right, read } = setup('outerJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 10));
    left.pipeInput(0, 'A0', 0);
    left.pipeInput(0, 'A0-0', 0);
    right.pipeInput(1, '11', 0);
    right.pipeInput(1, '12', 0);
    right.pipeInput(1, '10', 111);
    right.pipeInput(3, '100', 211);
    // right before left at equal timestamps, duplicates in arrival order
    expect(read()).toEqual([r(1, 'null+11', 0), r(1, 'null+12', 0), r(0, 'A0+null', 0), r(0, 'A0-0+null', 0)]);

    left.pipeInput(2, 'A2', 200);
    left.pipeInput(2, 'A2-0', 200);
    right.pipeInput(2, '13', 201);
    right.pipeInput(2, '14', 201);
    expect(read()).toEqual([r(2, 'A2+13', 201), r(2, 'A2-0+13', 201), r(2, 'A2+14', 201), r(2, 'A2-0+14', 201)]);

    right.pipeInput(3, '100', 1500);
    expect(read()).toEqual([r(1, 'null+10', 111), r(3, 'null+100', 211)]);
  });

  it('emits non-joined records of both sides only after grace (testGracePeriod)', () => {
    const { left, right, read } = setup('outerJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 10));
    left.pipeInput(0, 'A0', 0);
    right.pipeInput(1, '11', 0);
    expect(read()).toEqual([]);
    left.pipeInput(1, 'A1', 101);
    right.pipeInput(0, '10', 101);
    expect(read()).toEqual([]);
    right.pipeInput(0, '100', 112);
    expect(read()).toEqual([r(1, 'null+11', 0), r(0, 'A0+null', 0)]);
  });

  it('emits closed non-joined records before the join result of the record that closed them (testOrdering)', () => {
    const { left, right, read } = setup('outerJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100));
    left.pipeInput(0, 'A0', 0);
    left.pipeInput(1, 'A1', 100);
    expect(read()).toEqual([]);
    right.pipeInput(1, '11', 110);
    expect(read()).toEqual([r(0, 'A0+null', 0), r(1, 'A1+11', 110)]);
  });

  it('closes left records after `after` and right records after `before` (testEmitAllNonJoinedResultsForAsymmetricWindow)', () => {
    const { left, right, read } = setup('outerJoin', JoinWindows.ofTimeDifferenceWithNoGrace(5).after(20));
    left.pipeInput(0, 'A0', 29);
    left.pipeInput(1, 'A1', 30);
    right.pipeInput(2, '12', 31);
    right.pipeInput(3, '13', 36);
    expect(read()).toEqual([]);
    right.pipeInput(4, '14', 37); // 31 + 5 < 37
    expect(read()).toEqual([r(2, 'null+12', 31)]);
    right.pipeInput(5, '15', 50); // 29 + 20 < 50; 30 + 20 = 50 still open
    expect(read()).toEqual([r(0, 'A0+null', 29), r(3, 'null+13', 36), r(4, 'null+14', 37)]);
  });

  it('does not emit a non-joined result for records joined at the bounds of a before(0) window (testShouldNotEmitLeftJoinResultForAsymmetricBeforeWindow)', () => {
    const { left, right, read } = setup('outerJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100).before(0));
    left.pipeInput(0, 'A0', 0);
    left.pipeInput(1, 'A1', 1);
    expect(read()).toEqual([]);
    right.pipeInput(0, '10', 100);
    expect(read()).toEqual([r(0, 'A0+10', 100)]);
    // A1 closed at 1 + 100 < 102; 11 (window [2, 102]) waits until 102 + 0
    right.pipeInput(1, '11', 102);
    expect(read()).toEqual([r(1, 'A1+null', 1)]);
    right.pipeInput(2, '12', 103);
    expect(read()).toEqual([r(1, 'null+11', 102)]);
    left.pipeInput(2, 'A2', 103);
    expect(read()).toEqual([r(2, 'A2+12', 103)]);
  });

  it('does not emit a non-joined result for records joined at the bounds of an after(0) window (testShouldNotEmitLeftJoinResultForAsymmetricAfterWindow)', () => {
    const { left, right, read } = setup('outerJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100).after(0));
    left.pipeInput(0, 'A0', 0);
    left.pipeInput(1, 'A1', 1); // A0's window [-100, 0] closed
    expect(read()).toEqual([r(0, 'A0+null', 0)]);
    right.pipeInput(1, '11', 1);
    expect(read()).toEqual([r(1, 'A1+11', 1)]);
    right.pipeInput(2, '12', 101);
    expect(read()).toEqual([]);
    right.pipeInput(3, '13', 101);
    expect(read()).toEqual([]);
    left.pipeInput(2, 'A2', 201);
    expect(read()).toEqual([r(2, 'A2+12', 201)]);
  });

  it('judges whether a record\'s window has ended by its own side\'s bound (asymmetric windows)', () => {
    // before = 0, after = 100: a left record at t joins [t, t + 100], a right one [t - 100, t]
    const { left, right, read, driver } = setup('outerJoin', JoinWindows.ofTimeDifferenceWithNoGrace(0).after(100));
    left.pipeInput(1, 'X', 1003); // stream time 1003; X waits
    // a's window ended at 1000 < 1003 and holds no left record: null + a at once
    right.pipeInput(0, 'a', 1000);
    expect(read()).toEqual([r(0, 'null+a', 1000)]);
    // A's window [1000, 1100] is open and holds a (already emitted with null): joined
    left.pipeInput(0, 'A', 1000);
    expect(read()).toEqual([r(0, 'A+a', 1000)]);
    // D's window [990, 1090] has not ended: D waits until stream time passes 1090
    left.pipeInput(5, 'D', 990);
    expect(read()).toEqual([]);
    right.pipeInput(9, 'z', 1091);
    expect(read()).toEqual([r(5, 'D+null', 990)]);
    expect(driver.droppedRecords().late).toBe(0);
  });

  it('emits a record older than the stores retain with null at once: its partner is gone', () => {
    // retention of each store: before + after + grace = 200
    const { left, right, read, driver } = setup('outerJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100));
    right.pipeInput(0, 'a', 1000);
    left.pipeInput(2, 'Z', 1400); // closes a's window; the left store now retains 1201 and later
    expect(read()).toEqual([r(0, 'null+a', 1000)]);
    right.pipeInput(1, 'Y', 1400); // the right store now retains 1201 and later
    expect(read()).toEqual([]);
    // A's window [950, 1150] held a, which the right store no longer retains
    left.pipeInput(0, 'A', 1050);
    expect(read()).toEqual([r(0, 'A+null', 1050)]);
    // b's window [1000, 1200] holds A, which the left store does not retain
    right.pipeInput(0, 'b', 1100);
    expect(read()).toEqual([r(0, 'null+b', 1100)]);
    expect(driver.droppedRecords().late).toBe(0);
  });

  it('forwards non-joined results with the headers of the record that closed their window (testShouldForwardCurrentHeaders)', () => {
    const builder = new StreamsBuilder();
    const l = builder.stream('left', Consumed.with(Serdes.Int32(), Serdes.String()));
    const rs = builder.stream('right', Consumed.with(Serdes.Int32(), Serdes.String()));
    l.outerJoin(rs, toStringJoiner, JoinWindows.ofTimeDifferenceAndGrace(100, 10)).to('out', Produced.with(Serdes.Int32(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    const left = driver.createInputTopic('left', Serdes.Int32(), Serdes.String());
    const right = driver.createInputTopic('right', Serdes.Int32(), Serdes.String());
    const out = driver.createOutputTopic('out', Serdes.Int32(), Serdes.String());
    left.pipeInput(0, 'A0', 0, { h: new Uint8Array([1]) });
    right.pipeInput(1, '10', 0, { h: new Uint8Array([2]) });
    right.pipeInput(3, '100', 211, { h: new Uint8Array([3]) }); // bumps stream time
    const emitted = out.readRecordsToList();
    expect(emitted.map(({ key, value, timestamp }) => ({ key, value, timestamp }))).toEqual([r(1, 'null+10', 0), r(0, 'A0+null', 0)]);
    expect(emitted.map((record) => [...(record.headers.h ?? [])])).toEqual([[3], [3]]);
  });

  it('forwards records with a null key of either side at once', () => {
    const { left, right, read } = setup('outerJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100));
    left.pipeInput(null, 'A', 5);
    right.pipeInput(null, 'b', 6);
    expect(read()).toEqual([r(null, 'A+null', 5), r(null, 'null+b', 6)]);
  });
});

describe('KStream-KStream join topology', () => {
  it('names its stores after StreamJoined.withStoreName as Kafka Streams does', () => {
    const names = (kind: Kind) => {
      const builder = new StreamsBuilder();
      const left = builder.stream('left', Consumed.with(Serdes.Int32(), Serdes.String()));
      const right = builder.stream('right', Consumed.with(Serdes.Int32(), Serdes.String()));
      const joined = StreamJoined.with(Serdes.Int32(), Serdes.String(), Serdes.String()).withStoreName('clicks');
      joinOf(kind, left, right, JoinWindows.ofTimeDifferenceWithNoGrace(100), joined).to('out');
      return [...builder.build().stores.keys()];
    };
    expect(names('join')).toEqual(['clicks-this-join-store', 'clicks-other-join-store']);
    expect(names('leftJoin')).toEqual(['clicks-this-join-store', 'clicks-outer-other-join-store', 'clicks-left-shared-join-store']);
    expect(names('outerJoin')).toEqual([
      'clicks-outer-this-join-store',
      'clicks-outer-other-join-store',
      'clicks-outer-shared-join-store',
    ]);
  });

  it('generates outer store names from the join processor names', () => {
    const builder = new StreamsBuilder();
    const left = builder.stream('left', Consumed.with(Serdes.Int32(), Serdes.String()));
    const right = builder.stream('right', Consumed.with(Serdes.Int32(), Serdes.String()));
    left.outerJoin(right, toStringJoiner, JoinWindows.ofTimeDifferenceWithNoGrace(100)).to('out');
    const topology = builder.build();
    expect([...topology.stores.keys()]).toEqual([
      'KSTREAM-OUTERTHIS-0000000002-store',
      'KSTREAM-OUTEROTHER-0000000003-store',
      'KSTREAM-OUTERSHARED-0000000002-store',
    ]);
  });

  it('disables the changelogs with StreamJoined.withLoggingDisabled', () => {
    const builder = new StreamsBuilder();
    const left = builder.stream('left', Consumed.with(Serdes.Int32(), Serdes.String()));
    const right = builder.stream('right', Consumed.with(Serdes.Int32(), Serdes.String()));
    const joined = StreamJoined.with(Serdes.Int32(), Serdes.String(), Serdes.String()).withLoggingDisabled();
    left.leftJoin(right, toStringJoiner, JoinWindows.ofTimeDifferenceWithNoGrace(100), joined).to('out');
    expect([...builder.build().stores.values()].map((s) => s.logging)).toEqual([false, false, false]);
  });

  it('repartitions an input whose key changed and co-partitions the repartition topic with the other input', () => {
    const builder = new StreamsBuilder();
    const left = builder.stream('left', Consumed.with(Serdes.Int32(), Serdes.String()));
    const right = builder.stream('right', Consumed.with(Serdes.Int32(), Serdes.String()));
    left
      .selectKey((_k, v) => Number(v.slice(1)))
      .join(right, toStringJoiner, JoinWindows.ofTimeDifferenceWithNoGrace(100), StreamJoined.with(Serdes.Int32(), Serdes.String(), Serdes.String()))
      .to('out', Produced.with(Serdes.Int32(), Serdes.String()));
    const topology = builder.build();
    const topic = 'KSTREAM-KEY-SELECT-0000000002-repartition';
    expect(topology.internalTopicNames.has(topic)).toBe(true);
    expect(topology.copartitionGroups).toEqual([[`${topic}-source`, 'KSTREAM-SOURCE-0000000001']]);
    const driver = new TestDriver(topology);
    const l = driver.createInputTopic('left', Serdes.Int32(), Serdes.String());
    const rt = driver.createInputTopic('right', Serdes.Int32(), Serdes.String());
    const out = driver.createOutputTopic('out', Serdes.Int32(), Serdes.String());
    rt.pipeInput(7, 'seven', 10);
    l.pipeInput(99, 'x7', 12);
    l.pipeInput(null, 'x8', 12); // re-keyed to 8: no partner
    expect(out.readKeyValuesToList()).toEqual([{ key: 7, value: 'x7+seven' }]);
  });

  it('keeps null keys through the repartition topic of a left join', () => {
    const builder = new StreamsBuilder();
    const left = builder.stream('left', Consumed.with(Serdes.Int32(), Serdes.String()));
    const right = builder.stream('right', Consumed.with(Serdes.Int32(), Serdes.String()));
    left
      .selectKey((_k, v): number => (v === 'none' ? nullKey : 1))
      .leftJoin(right, toStringJoiner, JoinWindows.ofTimeDifferenceWithNoGrace(100), StreamJoined.with(Serdes.Int32(), Serdes.String(), Serdes.String()))
      .to('out', Produced.with(Serdes.Int32(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    driver.createInputTopic('left', Serdes.Int32(), Serdes.String()).pipeInput(5, 'none', 3);
    expect(driver.createOutputTopic('out', Serdes.Int32(), Serdes.String()).readKeyValuesToList()).toEqual([{ key: null, value: 'none+null' }]);
  });

  it('reuses the repartition topic when a re-keyed stream is joined twice (shouldReuseRepartitionTopicWithGeneratedName)', () => {
    const builder = new StreamsBuilder();
    const rekeyed = builder.stream('a', Consumed.with(Serdes.Int32(), Serdes.String())).selectKey((_k, v) => v.length);
    const b = builder.stream('b', Consumed.with(Serdes.Int32(), Serdes.String()));
    const c = builder.stream('c', Consumed.with(Serdes.Int32(), Serdes.String()));
    rekeyed.join(b, toStringJoiner, JoinWindows.ofTimeDifferenceWithNoGrace(100)).to('out-b');
    rekeyed.join(c, toStringJoiner, JoinWindows.ofTimeDifferenceWithNoGrace(100)).to('out-c');
    const topology = builder.build();
    expect([...topology.internalTopicNames]).toEqual(['KSTREAM-KEY-SELECT-0000000001-repartition']);
    expect(topology.copartitionGroups).toEqual([
      ['KSTREAM-KEY-SELECT-0000000001-repartition-source', 'KSTREAM-SOURCE-0000000002'],
      ['KSTREAM-KEY-SELECT-0000000001-repartition-source', 'KSTREAM-SOURCE-0000000003'],
    ]);
  });

  it('joins a stream with itself: each record with itself and with its window neighbours', () => {
    const builder = new StreamsBuilder();
    const stream = builder.stream('s', Consumed.with(Serdes.Int32(), Serdes.String()));
    stream.join(stream, toStringJoiner, JoinWindows.ofTimeDifferenceWithNoGrace(100)).to('out', Produced.with(Serdes.Int32(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('s', Serdes.Int32(), Serdes.String());
    const out = driver.createOutputTopic('out', Serdes.Int32(), Serdes.String());
    input.pipeInput(0, 'A', 0);
    input.pipeInput(0, 'B', 10);
    expect(out.readRecordsToList().map(({ key, value, timestamp }) => ({ key, value, timestamp }))).toEqual([
      r(0, 'A+A', 0),
      r(0, 'B+A', 10),
      r(0, 'A+B', 10),
      r(0, 'B+B', 10),
    ]);
  });

  it('rejects a join of two streams without JoinWindows', () => {
    const builder = new StreamsBuilder();
    const left = builder.stream<number, string>('left');
    const right = builder.stream<number, string>('right');
    expect(() => left.join(right, toStringJoiner, undefined as unknown as JoinWindows)).toThrow(
      'Invalid topology: join() of two streams needs JoinWindows',
    );
  });
});
