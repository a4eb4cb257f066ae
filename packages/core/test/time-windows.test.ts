import { describe, expect, it } from 'vitest';
import {
  Consumed,
  Materialized,
  Produced,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  type ValueAndTimestamp,
  type Windowed,
  windowedSerde,
} from '../src/index.js';
import { TestDriver } from '../src/testing.js';

/**
 * Tumbling and hopping time windows (Kafka Streams' TimeWindowsTest and KStreamWindowAggregateTest
 * with the default emit strategy). A window is `[start, start + size)`, aligned to the epoch; a
 * record is late once stream time reaches window end + grace. Outputs are hand-written, as
 * `key@start/end` (Kafka Streams' Windowed toString without brackets).
 */

type Line = [window: string, value: unknown, timestamp: number];

const windowedString = windowedSerde(Serdes.String());

function lines(driver: TestDriver, valueSerde = Serdes.Json<unknown>()): Line[] {
  return driver
    .createOutputTopic('out', windowedString, valueSerde)
    .readRecordsToList()
    .map((r) => [name(r.key), r.value, r.timestamp]);
}

function name(key: Windowed<string>): string {
  return `${key.key}@${key.window.start}/${key.window.end}`;
}

/** `in` (String, String) grouped by key, windowed, aggregated as "0+v+v..." (Kafka Streams' MockAggregator). */
function stringAggregation(windows: TimeWindows, materialized = Materialized.with<string, string>(Serdes.String(), Serdes.String())) {
  const builder = new StreamsBuilder();
  builder
    .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
    .groupByKey()
    .windowedBy(windows)
    .aggregate(() => '0', (_k, v, agg) => `${agg}+${v}`, materialized)
    .toStream()
    .to('out', Produced.with(windowedString, Serdes.String()));
  return builder.build();
}

function windowedCount(windows: TimeWindows, materialized?: Materialized<string, number>) {
  const builder = new StreamsBuilder();
  builder
    .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
    .groupByKey()
    .windowedBy(windows)
    .count(materialized)
    .toStream()
    .to('out', Produced.with(windowedString, Serdes.Json<number>()));
  return builder.build();
}

function pipe(driver: TestDriver, records: Array<[key: string | null, timestamp: number, value?: string]>): void {
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
  for (const [key, timestamp, value] of records) input.pipeInput(key, value ?? 'v', timestamp);
}

describe('TimeWindows', () => {
  it('refuses a size of zero or less', () => {
    expect(() => TimeWindows.ofSizeWithNoGrace(0)).toThrow(new RangeError('window size must be an integer number of milliseconds >= 1, got 0'));
    expect(() => TimeWindows.ofSizeAndGrace(-1, 5)).toThrow(RangeError);
  });

  it('refuses an advance of zero, negative, or larger than the size', () => {
    const windows = TimeWindows.ofSizeWithNoGrace(10);
    expect(() => windows.advanceBy(0)).toThrow(new RangeError('window advance must be an integer number of milliseconds >= 1, got 0'));
    expect(() => windows.advanceBy(-1)).toThrow(RangeError);
    expect(() => windows.advanceBy(11)).toThrow(new RangeError('window advance (11 ms) must not exceed the window size (10 ms)'));
  });

  it('refuses a negative or fractional grace', () => {
    expect(() => TimeWindows.ofSizeAndGrace(3, -1)).toThrow(new RangeError('grace period must be an integer number of milliseconds >= 0, got -1'));
    expect(() => TimeWindows.ofSizeAndGrace(3, 0.5)).toThrow(RangeError);
  });

  it('ofSizeWithNoGrace makes tumbling windows with zero grace', () => {
    const windows = TimeWindows.ofSizeWithNoGrace(60_000);
    expect([windows.sizeMs, windows.advanceMs, windows.graceMs]).toEqual([60_000, 60_000, 0]);
  });

  it('keeps windows for size + grace', () => {
    expect(TimeWindows.ofSizeAndGrace(10, 5).retentionMs()).toBe(15);
    expect(TimeWindows.ofSizeAndGrace(10, 5).advanceBy(2).retentionMs()).toBe(15);
  });
});

describe('windowsFor', () => {
  it('gives the one tumbling window holding a timestamp', () => {
    expect(TimeWindows.ofSizeWithNoGrace(12).windowsFor(21)).toEqual([{ start: 12, end: 24 }]);
  });

  it('gives every hopping window holding a timestamp, by start', () => {
    expect(TimeWindows.ofSizeWithNoGrace(12).advanceBy(5).windowsFor(21)).toEqual([
      { start: 10, end: 22 },
      { start: 15, end: 27 },
      { start: 20, end: 32 },
    ]);
  });

  it('gives one window when hopping windows barely overlap', () => {
    expect(TimeWindows.ofSizeWithNoGrace(6).advanceBy(5).windowsFor(7)).toEqual([{ start: 5, end: 11 }]);
  });

  it('starts no window before the epoch: timestamp 0 is in [0, size) only', () => {
    expect(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5).windowsFor(0)).toEqual([{ start: 0, end: 10 }]);
    expect(TimeWindows.ofSizeWithNoGrace(10).windowsFor(0)).toEqual([{ start: 0, end: 10 }]);
    expect(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5).windowsFor(4)).toEqual([{ start: 0, end: 10 }]);
  });

  it('puts a timestamp exactly at a boundary in the window starting there, since ends are exclusive', () => {
    expect(TimeWindows.ofSizeWithNoGrace(10).windowsFor(10)).toEqual([{ start: 10, end: 20 }]);
    expect(TimeWindows.ofSizeWithNoGrace(10).windowsFor(9)).toEqual([{ start: 0, end: 10 }]);
    expect(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5).windowsFor(10)).toEqual([
      { start: 5, end: 15 },
      { start: 10, end: 20 },
    ]);
  });

  it('aligns windows to the epoch for large timestamps', () => {
    expect(TimeWindows.ofSizeWithNoGrace(60_000).windowsFor(1_700_000_000_123)).toEqual([
      { start: 1_699_999_980_000, end: 1_700_000_040_000 },
    ]);
  });
});

describe('tumbling windows', () => {
  it('counts per key and epoch-aligned window, stamped with the latest record time', () => {
    const driver = new TestDriver(windowedCount(TimeWindows.ofSizeAndGrace(10, 100)));
    pipe(driver, [
      ['a', 3],
      ['a', 7],
      ['b', 9],
      ['a', 10],
      ['a', 19],
      ['a', 25],
    ]);
    expect(lines(driver)).toEqual([
      ['a@0/10', 1, 3],
      ['a@0/10', 2, 7],
      ['b@0/10', 1, 9],
      ['a@10/20', 1, 10],
      ['a@10/20', 2, 19],
      ['a@20/30', 1, 25],
    ]);
  });

  it('updates a window with an out-of-order record within grace, keeping the larger timestamp', () => {
    const driver = new TestDriver(windowedCount(TimeWindows.ofSizeAndGrace(10, 5)));
    pipe(driver, [
      ['a', 8],
      ['a', 12],
      ['a', 3],
    ]);
    expect(lines(driver)).toEqual([
      ['a@0/10', 1, 8],
      ['a@10/20', 1, 12],
      ['a@0/10', 2, 8],
    ]);
    expect(driver.droppedRecords().late).toBe(0);
  });

  it('drops a record when stream time is exactly window end + grace, counting it as late', () => {
    const driver = new TestDriver(windowedCount(TimeWindows.ofSizeAndGrace(10, 5)));
    pipe(driver, [
      ['a', 15],
      ['a', 9],
    ]);
    expect(lines(driver)).toEqual([['a@10/20', 1, 15]]);
    expect(driver.droppedRecords().late).toBe(1);
  });

  it('accepts a record when stream time is one ms before window end + grace', () => {
    const driver = new TestDriver(windowedCount(TimeWindows.ofSizeAndGrace(10, 5)));
    pipe(driver, [
      ['a', 14],
      ['a', 9],
    ]);
    expect(lines(driver)).toEqual([
      ['a@10/20', 1, 14],
      ['a@0/10', 1, 9],
    ]);
    expect(driver.droppedRecords().late).toBe(0);
  });

  it('closes a window at its end with ofSizeWithNoGrace', () => {
    const driver = new TestDriver(windowedCount(TimeWindows.ofSizeWithNoGrace(10)));
    pipe(driver, [
      ['a', 9],
      ['a', 10],
      ['a', 9],
    ]);
    expect(lines(driver)).toEqual([
      ['a@0/10', 1, 9],
      ['a@10/20', 1, 10],
    ]);
    expect(driver.droppedRecords().late).toBe(1);
  });

  it('judges lateness by stream time, which a record of another key advances', () => {
    const driver = new TestDriver(windowedCount(TimeWindows.ofSizeWithNoGrace(10)));
    pipe(driver, [
      ['a', 5],
      ['b', 30],
      ['a', 6],
    ]);
    expect(lines(driver)).toEqual([
      ['a@0/10', 1, 5],
      ['b@30/40', 1, 30],
    ]);
    expect(driver.droppedRecords().late).toBe(1);
  });

  it('drops records with a null key, counting them', () => {
    const driver = new TestDriver(windowedCount(TimeWindows.ofSizeWithNoGrace(10)));
    pipe(driver, [[null, 1]]);
    expect(lines(driver)).toEqual([]);
    expect(driver.droppedRecords()['null-key']).toBe(1);
  });
});

describe('hopping windows', () => {
  it('updates every window holding a record, in window-start order (KStreamWindowAggregateTest.testAggBasic)', () => {
    const driver = new TestDriver(stringAggregation(TimeWindows.ofSizeAndGrace(10, 100).advanceBy(5)));
    pipe(driver, [
      ['A', 0, '1'],
      ['B', 1, '2'],
      ['C', 2, '3'],
      ['D', 3, '4'],
      ['A', 4, '1'],
      ['A', 5, '1'],
      ['B', 6, '2'],
      ['D', 7, '4'],
      ['B', 8, '2'],
      ['C', 9, '3'],
      ['A', 10, '1'],
      ['B', 11, '2'],
      ['D', 12, '4'],
      ['B', 13, '2'],
      ['C', 14, '3'],
      ['B', 3, '1'],
      ['B', 2, '2'],
      ['B', 9, '3'],
    ]);
    expect(lines(driver, Serdes.String())).toEqual([
      ['A@0/10', '0+1', 0],
      ['B@0/10', '0+2', 1],
      ['C@0/10', '0+3', 2],
      ['D@0/10', '0+4', 3],
      ['A@0/10', '0+1+1', 4],
      ['A@0/10', '0+1+1+1', 5],
      ['A@5/15', '0+1', 5],
      ['B@0/10', '0+2+2', 6],
      ['B@5/15', '0+2', 6],
      ['D@0/10', '0+4+4', 7],
      ['D@5/15', '0+4', 7],
      ['B@0/10', '0+2+2+2', 8],
      ['B@5/15', '0+2+2', 8],
      ['C@0/10', '0+3+3', 9],
      ['C@5/15', '0+3', 9],
      ['A@5/15', '0+1+1', 10],
      ['A@10/20', '0+1', 10],
      ['B@5/15', '0+2+2+2', 11],
      ['B@10/20', '0+2', 11],
      ['D@5/15', '0+4+4', 12],
      ['D@10/20', '0+4', 12],
      ['B@5/15', '0+2+2+2+2', 13],
      ['B@10/20', '0+2+2', 13],
      ['C@5/15', '0+3+3', 14],
      ['C@10/20', '0+3', 14],
      // Out-of-order records within grace: window timestamps stay at their maximum.
      ['B@0/10', '0+2+2+2+1', 8],
      ['B@0/10', '0+2+2+2+1+2', 8],
      ['B@0/10', '0+2+2+2+1+2+3', 9],
      ['B@5/15', '0+2+2+2+2+3', 13],
    ]);
  });

  it('counts a late record once per closed window it belongs to, and still updates its open windows', () => {
    // Size 10, advance 5, grace 90: at stream time 100 the close time is 10, so [0,10) is closed
    // and [5,15) is open. Records 0..4 fall in [0,10) only; 5 and 6 in both.
    const driver = new TestDriver(
      stringAggregation(
        TimeWindows.ofSizeAndGrace(10, 90).advanceBy(5),
        Materialized.with<string, string>(Serdes.String(), Serdes.String()).withLoggingDisabled().withRetention(100),
      ),
    );
    pipe(
      driver,
      [100, 0, 1, 2, 3, 4, 5, 6, 105, 106].map((t) => ['k', t, String(t)]),
    );
    expect(driver.droppedRecords().late).toBe(7);
    expect(lines(driver, Serdes.String())).toEqual([
      ['k@95/105', '0+100', 100],
      ['k@100/110', '0+100', 100],
      ['k@5/15', '0+5', 5],
      ['k@5/15', '0+5+6', 6],
      ['k@100/110', '0+100+105', 105],
      ['k@105/115', '0+105', 105],
      ['k@100/110', '0+100+105+106', 106],
      ['k@105/115', '0+105+106', 106],
    ]);
  });

  it('drops records of windows closed by grace (KStreamWindowAggregateTest.shouldLogAndMeterWhenSkippingExpiredWindowByGrace)', () => {
    const driver = new TestDriver(stringAggregation(TimeWindows.ofSizeAndGrace(10, 90)));
    pipe(
      driver,
      [200, 100, 101, 102, 103, 104, 105, 6].map((t) => ['k', t, String(t)]),
    );
    expect(driver.droppedRecords().late).toBe(7);
    expect(lines(driver, Serdes.String())).toEqual([['k@200/210', '0+200', 200]]);
  });
});

describe('windowed reduce and aggregate', () => {
  it('reduces per window, the first value being the aggregate', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.Int32()))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .reduce((a, b) => a + b, Materialized.with(Serdes.String(), Serdes.Int32()))
      .toStream()
      .to('out', Produced.with(windowedString, Serdes.Int32()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.Int32());
    input.pipeInput('a', 5, 1);
    input.pipeInput('a', 7, 2);
    input.pipeInput('a', 1, 11);
    expect(lines(driver, Serdes.Int32())).toEqual([
      ['a@0/10', 5, 1],
      ['a@0/10', 12, 2],
      ['a@10/20', 1, 11],
    ]);
  });
});

describe('window stores', () => {
  it('makes the windowed aggregate queryable by key and window start, with timestamps', () => {
    const driver = new TestDriver(windowedCount(TimeWindows.ofSizeAndGrace(10, 20).advanceBy(5), Materialized.as('win')));
    pipe(driver, [
      ['a', 8],
      ['a', 6],
      ['b', 12],
    ]);
    const store = driver.getWindowStore<string, ValueAndTimestamp<number>>('win');
    expect(store.fetch('a', 0)).toEqual({ value: 2, timestamp: 8 });
    expect(store.fetch('a', 5)).toEqual({ value: 2, timestamp: 8 });
    expect(store.fetch('a', 10)).toBeUndefined();
    expect([...store.fetchRange('a', 0, 100)]).toEqual([
      { windowStart: 0, value: { value: 2, timestamp: 8 } },
      { windowStart: 5, value: { value: 2, timestamp: 8 } },
    ]);
    expect([...store.fetchRange('b', 0, 100)].map((e) => e.windowStart)).toEqual([5, 10]);
  });

  it('refuses a retention shorter than window size + grace', () => {
    expect(() => windowedCount(TimeWindows.ofSizeAndGrace(10, 5), Materialized.as<string, number>('counts').withRetention(14))).toThrow(
      'Invalid topology: store "counts" retention 14 ms is shorter than window size + grace (15 ms)',
    );
  });

  it('backs the window store with a changelog', () => {
    const topology = windowedCount(TimeWindows.ofSizeWithNoGrace(10), Materialized.as('win'));
    expect(topology.internalTopics('app').changelogs).toEqual(new Map([['win', 'app-win-changelog']]));
  });
});
