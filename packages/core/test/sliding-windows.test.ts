import { describe, expect, it } from 'vitest';
import {
  Consumed,
  EmitStrategy,
  Materialized,
  Produced,
  Serdes,
  SlidingWindows,
  StreamsBuilder,
  TopologyError,
  type Windowed,
  windowedSerde,
} from '../src/index.js';
import { TestDriver } from '../src/testing.js';

// Expected outputs below are worked out by hand from KIP-450's rules (and match the sets Kafka
// Streams' KStreamSlidingWindowAggregateTest expects for the same input). Windows are
// [start, start + timeDifference], both ends inclusive; an output's timestamp is the largest record
// timestamp in its window. The TestDriver commits after every record, so with the store cache on,
// each record yields one update per window it touched, in the order they were last touched.

type Row = { key: Windowed<string>; value: string | null; timestamp: number };

function row(key: string, start: number, end: number, value: string | null, timestamp: number): Row {
  return { key: { key, window: { start, end } }, value, timestamp };
}

interface Setup {
  windows: SlidingWindows;
  emit?: EmitStrategy;
  reduce?: boolean;
  materialized?: Materialized<string, string>;
}

function slidingDriver({ windows, emit = EmitStrategy.onWindowUpdate(), reduce = false, materialized }: Setup) {
  const builder = new StreamsBuilder();
  const windowedStream = builder
    .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
    .groupByKey()
    .windowedBy(windows)
    .emitStrategy(emit);
  const store = materialized ?? Materialized.as<string, string>('sliding-store').withValueSerde(Serdes.String());
  const table = reduce
    ? windowedStream.reduce((aggregate, value) => `${aggregate}+${value}`, store)
    : windowedStream.aggregate(
        () => '0',
        (_key, value, aggregate) => `${aggregate}+${value}`,
        store,
      );
  table.toStream().to('out', Produced.with(windowedSerde(Serdes.String()), Serdes.String()));
  const driver = new TestDriver(builder.build());
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
  const output = driver.createOutputTopic('out', windowedSerde(Serdes.String()), Serdes.String());
  const read = (): Row[] => output.readRecordsToList().map(({ key, value, timestamp }) => ({ key, value, timestamp }));
  return { driver, input, read };
}

describe('sliding windows: emit on update', () => {
  it('aggregates overlapping windows, creating left and right windows (KS testAggregateSmallInput)', () => {
    const { input, read } = slidingDriver({ windows: SlidingWindows.ofTimeDifferenceAndGrace(10, 5) });

    input.pipeInput('A', '1', 10);
    expect(read()).toEqual([row('A', 0, 10, '0+1', 10)]);

    // Same timestamp: only the existing left window changes.
    input.pipeInput('A', '2', 10);
    expect(read()).toEqual([row('A', 0, 10, '0+1+2', 10)]);

    // The previous record's right window [11, 21] appears; the left window [4, 14] starts from [0, 10].
    input.pipeInput('A', '3', 14);
    expect(read()).toEqual([row('A', 11, 21, '0+3', 14), row('A', 4, 14, '0+1+2+3', 14)]);

    input.pipeInput('A', '4', 15);
    expect(read()).toEqual([
      row('A', 11, 21, '0+3+4', 15),
      row('A', 15, 25, '0+4', 15),
      row('A', 5, 15, '0+1+2+3+4', 15),
    ]);

    input.pipeInput('A', '5', 20);
    expect(read()).toEqual([
      row('A', 15, 25, '0+4+5', 20),
      row('A', 11, 21, '0+3+4+5', 20),
      row('A', 16, 26, '0+5', 20),
      row('A', 10, 20, '0+1+2+3+4+5', 20),
    ]);

    input.pipeInput('A', '6', 22);
    expect(read()).toEqual([
      row('A', 16, 26, '0+5+6', 22),
      row('A', 15, 25, '0+4+5+6', 22),
      row('A', 21, 31, '0+6', 22),
      row('A', 12, 22, '0+3+4+5+6', 22),
    ]);

    input.pipeInput('A', '7', 30);
    expect(read()).toEqual([
      row('A', 21, 31, '0+6+7', 30),
      row('A', 23, 33, '0+7', 30),
      row('A', 20, 30, '0+5+6+7', 30),
    ]);
  });

  it('reduces into sliding windows (KS testReduceSmallInput)', () => {
    const { input, read } = slidingDriver({ windows: SlidingWindows.ofTimeDifferenceAndGrace(10, 5), reduce: true });
    input.pipeInput('A', '1', 10);
    input.pipeInput('A', '2', 14);
    input.pipeInput('A', '3', 15);
    input.pipeInput('A', '4', 22);
    input.pipeInput('A', '5', 26);
    input.pipeInput('A', '6', 30);
    expect(read()).toEqual([
      row('A', 0, 10, '1', 10),
      // @14
      row('A', 11, 21, '2', 14),
      row('A', 4, 14, '1+2', 14),
      // @15
      row('A', 11, 21, '2+3', 15),
      row('A', 15, 25, '3', 15),
      row('A', 5, 15, '1+2+3', 15),
      // @22
      row('A', 15, 25, '3+4', 22),
      row('A', 16, 26, '4', 22),
      row('A', 12, 22, '2+3+4', 22),
      // @26: its left window [16, 26] exists already
      row('A', 16, 26, '4+5', 26),
      row('A', 23, 33, '5', 26),
      // @30
      row('A', 23, 33, '5+6', 30),
      row('A', 27, 37, '6', 30),
      row('A', 20, 30, '4+5+6', 30),
    ]);
  });

  it('puts records earlier than the time difference into [0, timeDifference] (KS testEarlyRecordsSmallInput)', () => {
    const { input, read } = slidingDriver({ windows: SlidingWindows.ofTimeDifferenceAndGrace(50, 0) });

    input.pipeInput('A', '1', 0);
    expect(read()).toEqual([row('A', 0, 50, '0+1', 0)]);

    input.pipeInput('A', '2', 5);
    expect(read()).toEqual([row('A', 1, 51, '0+2', 5), row('A', 0, 50, '0+1+2', 5)]);

    input.pipeInput('A', '3', 6);
    expect(read()).toEqual([row('A', 1, 51, '0+2+3', 6), row('A', 6, 56, '0+3', 6), row('A', 0, 50, '0+1+2+3', 6)]);

    // Out of order: 3 has records after it, so its right window [4, 54] is created from them.
    input.pipeInput('A', '4', 3);
    expect(read()).toEqual([row('A', 1, 51, '0+2+3+4', 6), row('A', 4, 54, '0+2+3', 6), row('A', 0, 50, '0+1+2+3+4', 6)]);

    input.pipeInput('A', '5', 13);
    expect(read()).toEqual([
      row('A', 1, 51, '0+2+3+4+5', 13),
      row('A', 4, 54, '0+2+3+5', 13),
      row('A', 6, 56, '0+3+5', 13),
      row('A', 7, 57, '0+5', 13),
      row('A', 0, 50, '0+1+2+3+4+5', 13),
    ]);

    input.pipeInput('A', '6', 10);
    expect(read()).toEqual([
      row('A', 1, 51, '0+2+3+4+5+6', 13),
      row('A', 4, 54, '0+2+3+5+6', 13),
      row('A', 6, 56, '0+3+5+6', 13),
      row('A', 7, 57, '0+5+6', 13),
      row('A', 11, 61, '0+5', 13),
      row('A', 0, 50, '0+1+2+3+4+5+6', 13),
    ]);

    // Not early any more: its left window [20, 70] holds it alone.
    input.pipeInput('A', '7', 70);
    expect(read()).toEqual([row('A', 20, 70, '0+7', 70)]);
  });

  it('accepts out-of-order records within grace (KS testNoGracePeriodSmallInput, with grace)', () => {
    const { driver, input, read } = slidingDriver({ windows: SlidingWindows.ofTimeDifferenceAndGrace(10, 20) });
    input.pipeInput('A', '1', 100);
    input.pipeInput('A', '2', 105);
    expect(read()).toEqual([row('A', 90, 100, '0+1', 100), row('A', 101, 111, '0+2', 105), row('A', 95, 105, '0+1+2', 105)]);

    // 103 sits between 100 and 105: it joins [95, 105] and [101, 111], gets its own left window
    // [93, 103] seeded from [90, 100], and a right window [104, 114] holding 105.
    input.pipeInput('A', '3', 103);
    expect(read()).toEqual([
      row('A', 101, 111, '0+2+3', 105),
      row('A', 95, 105, '0+1+2+3', 105),
      row('A', 93, 103, '0+1+3', 103),
      row('A', 104, 114, '0+2', 105),
    ]);
    expect(driver.droppedRecords().late).toBe(0);
  });

  it('keeps a window open until stream time passes its end + grace (inclusive end, as Kafka Streams)', () => {
    const { driver, input, read } = slidingDriver({ windows: SlidingWindows.ofTimeDifferenceAndGrace(10, 5) });
    input.pipeInput('k', 'A', 110);
    expect(read()).toEqual([row('k', 100, 110, '0+A', 110)]);

    // Stream time 115 = end of [100, 110] + grace: that window still takes a record at 100.
    input.pipeInput('x', 'X', 115);
    read();
    input.pipeInput('k', 'B', 100);
    expect(read()).toEqual([row('k', 100, 110, '0+A+B', 110), row('k', 101, 111, '0+A', 110)]);
    // Its own left window [90, 100] is closed and skipped (counted).
    expect(driver.droppedRecords().late).toBe(1);

    // Stream time 116: [100, 110] is closed, so a record at 100 (whose latest window would be [100, 110]) is dropped.
    input.pipeInput('y', 'Y', 116);
    read();
    input.pipeInput('k', 'C', 100);
    expect(read()).toEqual([]);
    expect(driver.droppedRecords().late).toBe(2);

    // A record at 101 still reaches [101, 111] (end + grace = 116) but not [100, 110] nor its left window [91, 101].
    input.pipeInput('k', 'D', 101);
    expect(read()).toEqual([row('k', 101, 111, '0+A+D', 110), row('k', 102, 112, '0+A', 110)]);
    expect(driver.droppedRecords().late).toBe(4);
  });

  it('drops records later than grace, counting each closed window (KS shouldLogAndMeterWhenSkippingExpiredWindowByGrace)', () => {
    const { driver, input, read } = slidingDriver({ windows: SlidingWindows.ofTimeDifferenceAndGrace(10, 90) });
    input.pipeInput('k', '100', 200);
    for (let t = 100; t <= 105; t++) input.pipeInput('k', String(t - 100), t);
    input.pipeInput('k', '6', 15);
    input.pipeInput('k', '101', 300);
    input.pipeInput('k', '102', 400);
    // Left windows [90, 100] .. [95, 105] end before 200 - 90 = 110; 15 is late as a whole.
    expect(driver.droppedRecords().late).toBe(7);
    expect(read()).toEqual([
      row('k', 190, 200, '0+100', 200),
      row('k', 290, 300, '0+101', 300),
      row('k', 390, 400, '0+102', 400),
    ]);
  });

  it('drops and counts records with a null key or a null value', () => {
    const { driver, input, read } = slidingDriver({ windows: SlidingWindows.ofTimeDifferenceAndGrace(10, 100) });
    input.pipeInput(null, '1', 10);
    input.pipeInput('A', null, 10);
    expect(read()).toEqual([]);
    expect(driver.droppedRecords()['null-key']).toBe(1);
    expect(driver.droppedRecords()['null-value']).toBe(1);
  });

  it('forwards every update at once without a cache', () => {
    const { input, read } = slidingDriver({
      windows: SlidingWindows.ofTimeDifferenceAndGrace(10, 5),
      materialized: Materialized.as<string, string>('uncached').withValueSerde(Serdes.String()).withCachingDisabled(),
    });
    input.pipeInput('A', '1', 10);
    input.pipeInput('A', '2', 14);
    expect(read()).toEqual([row('A', 0, 10, '0+1', 10), row('A', 11, 21, '0+2', 14), row('A', 4, 14, '0+1+2', 14)]);
  });

  it('keeps windows in a store queryable by window start', () => {
    const { driver, input } = slidingDriver({ windows: SlidingWindows.ofTimeDifferenceAndGrace(10, 5) });
    input.pipeInput('A', '1', 10);
    input.pipeInput('A', '2', 14);
    const store = driver.getWindowStore<string, { value: string; timestamp: number }>('sliding-store');
    expect([...store.fetchRange('A', 0, 100)]).toEqual([
      { windowStart: 0, value: { value: '0+1', timestamp: 10 } },
      { windowStart: 4, value: { value: '0+1+2', timestamp: 14 } },
      { windowStart: 11, value: { value: '0+2', timestamp: 14 } },
    ]);
  });
});

describe('sliding windows: emit on close', () => {
  it('emits each window once, when stream time passes its end + grace (KS testAggregateSmallInput)', () => {
    const { input, read } = slidingDriver({
      windows: SlidingWindows.ofTimeDifferenceAndGrace(10, 5),
      emit: EmitStrategy.onWindowClose(),
    });
    input.pipeInput('A', '1', 10);
    input.pipeInput('A', '2', 10);
    input.pipeInput('A', '3', 14);
    input.pipeInput('A', '4', 15);
    expect(read()).toEqual([]);

    // Stream time 20, close time 15: windows ending before 15 are final.
    input.pipeInput('A', '5', 20);
    expect(read()).toEqual([row('A', 0, 10, '0+1+2', 10), row('A', 4, 14, '0+1+2+3', 14)]);

    input.pipeInput('A', '6', 22);
    expect(read()).toEqual([row('A', 5, 15, '0+1+2+3+4', 15)]);

    input.pipeInput('A', '7', 30);
    expect(read()).toEqual([
      row('A', 10, 20, '0+1+2+3+4+5', 20),
      row('A', 11, 21, '0+3+4+5', 20),
      row('A', 12, 22, '0+3+4+5+6', 22),
    ]);

    // Stream time does not move: nothing is emitted twice.
    input.pipeInput('A', '8', 30);
    expect(read()).toEqual([]);
  });

  it('emits the early windows once a later record closes them (KS testEarlyRecordsSmallInput)', () => {
    const { input, read } = slidingDriver({
      windows: SlidingWindows.ofTimeDifferenceAndGrace(50, 0),
      emit: EmitStrategy.onWindowClose(),
    });
    for (const [value, t] of [
      ['1', 0],
      ['2', 5],
      ['3', 6],
      ['4', 3],
      ['5', 13],
      ['6', 10],
    ] as const) {
      input.pipeInput('A', value, t);
    }
    expect(read()).toEqual([]);
    input.pipeInput('A', '7', 70);
    expect(read()).toEqual([
      row('A', 0, 50, '0+1+2+3+4+5+6', 13),
      row('A', 1, 51, '0+2+3+4+5+6', 13),
      row('A', 4, 54, '0+2+3+5+6', 13),
      row('A', 6, 56, '0+3+5+6', 13),
      row('A', 7, 57, '0+5+6', 13),
      row('A', 11, 61, '0+5', 13),
    ]);
  });

  it('emits closed windows of every key in window-start order', () => {
    const { input, read } = slidingDriver({
      windows: SlidingWindows.ofTimeDifferenceAndGrace(10, 5),
      emit: EmitStrategy.onWindowClose(),
    });
    input.pipeInput('a', '1', 12);
    input.pipeInput('b', '2', 11);
    expect(read()).toEqual([]);
    // Close time 25 closes [2, 12] of a and [1, 11] of b: b's starts first.
    input.pipeInput('c', '3', 30);
    expect(read()).toEqual([row('b', 1, 11, '0+2', 11), row('a', 2, 12, '0+1', 12)]);
  });

  it('drops late records in emit-on-close mode too (KS shouldLogAndMeterWhenSkippingExpiredWindowByGrace)', () => {
    const { driver, input, read } = slidingDriver({
      windows: SlidingWindows.ofTimeDifferenceAndGrace(10, 90),
      emit: EmitStrategy.onWindowClose(),
    });
    input.pipeInput('k', '100', 200);
    for (let t = 100; t <= 105; t++) input.pipeInput('k', String(t - 100), t);
    input.pipeInput('k', '6', 15);
    input.pipeInput('k', '101', 300);
    input.pipeInput('k', '102', 400);
    expect(driver.droppedRecords().late).toBe(7);
    expect(read()).toEqual([row('k', 190, 200, '0+100', 200), row('k', 290, 300, '0+101', 300)]);
  });
});

describe('sliding windows: any arrival order (KS testAggregateRandomInput)', () => {
  // Records of one key in shuffled order; the aggregate sorts its letters, so a window's final
  // value depends only on which records it holds. Expected values are Kafka Streams'.
  const records: Array<[string, number]> = [
    ['A', 10], ['B', 15], ['C', 16], ['D', 18], ['E', 30], ['F', 40], ['G', 55], ['H', 56], ['I', 58], ['J', 58], ['K', 62],
    ['L', 63], ['M', 63], ['N', 63], ['O', 76], ['P', 77], ['Q', 80], ['R', 2], ['S', 3], ['T', 5], ['U', 8],
  ];
  const finalWindows: Record<number, [string, number]> = {
    0: ['ARSTU', 10], 3: ['ASTU', 10], 4: ['ATU', 10], 5: ['ABTU', 15], 6: ['ABCU', 16], 8: ['ABCDU', 18], 9: ['ABCD', 18],
    11: ['BCD', 18], 16: ['CD', 18], 17: ['D', 18], 20: ['E', 30], 30: ['EF', 40], 31: ['F', 40], 45: ['G', 55], 46: ['GH', 56],
    48: ['GHIJ', 58], 52: ['GHIJK', 62], 53: ['GHIJKLMN', 63], 56: ['HIJKLMN', 63], 57: ['IJKLMN', 63], 59: ['KLMN', 63],
    63: ['LMN', 63], 66: ['O', 76], 67: ['OP', 77], 70: ['OPQ', 80], 77: ['PQ', 80], 78: ['Q', 80], 171: ['V', 181],
  };

  /** Deterministic shuffle (mulberry32), so a failure names its seed. */
  function shuffled<T>(items: readonly T[], seed: number): T[] {
    let state = seed >>> 0;
    const random = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  function run(emit: EmitStrategy, seed: number): Map<number, [string | null, number]> {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 100))
      .emitStrategy(emit)
      .aggregate(
        () => '',
        (_key, value, aggregate) => [...(aggregate + value)].sort().join(''),
        Materialized.as<string, string>('random').withValueSerde(Serdes.String()),
      )
      .toStream()
      .to('out', Produced.with(windowedSerde(Serdes.String()), Serdes.String()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    const output = driver.createOutputTopic('out', windowedSerde(Serdes.String()), Serdes.String());
    for (const [value, t] of shuffled(records, seed)) input.pipeInput('A', value, t);
    input.pipeInput('A', 'V', 181);
    const last = new Map<number, [string | null, number]>();
    for (const r of output.readRecordsToList()) last.set(r.key.window.start, [r.value, r.timestamp]);
    return last;
  }

  for (const seed of [1, 2, 3, 42, 2024, 31337]) {
    it(`ends with the same windows on update, seed ${seed}`, () => {
      expect(Object.fromEntries(run(EmitStrategy.onWindowUpdate(), seed))).toEqual(finalWindows);
    });

    it(`emits the windows still retained on close, seed ${seed}`, () => {
      // Stream time jumps from 80 to 181: only windows starting at or after 171 - (2 * 10 + 100)
      // are still in the store when they close (Kafka Streams loses the older ones the same way).
      const expected = Object.fromEntries(
        [52, 53, 56, 57, 59, 63, 66, 67, 70].map((start) => [start, finalWindows[start]]),
      );
      expect(Object.fromEntries(run(EmitStrategy.onWindowClose(), seed))).toEqual(expected);
    });
  }
});

describe('sliding windows: topology', () => {
  it('rejects a retention shorter than 2 * time difference + grace', () => {
    const builder = new StreamsBuilder();
    const windowed = builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5));
    const tooShort = () => windowed.count(Materialized.as<string, number>('short').withRetention(24));
    expect(tooShort).toThrow(TopologyError);
    expect(tooShort).toThrow('Invalid topology: store "short" retention 24 ms is shorter than 2 * time difference + grace (25 ms)');
    expect(() => windowed.count(Materialized.as<string, number>('enough').withRetention(25))).not.toThrow();
  });
});
