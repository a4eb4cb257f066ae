import { describe, expect, it } from 'vitest';
import {
  Consumed,
  EmitStrategy,
  Materialized,
  Produced,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  type Windowed,
  windowedSerde,
} from '../src/index.js';
import { TestDriver, type TestDriverOptions } from '../src/testing.js';

/**
 * Emit strategies of windowed aggregations (KIP-825, KStreamWindowAggregateTest with
 * ON_WINDOW_UPDATE and ON_WINDOW_CLOSE). Emit-final forwards each window once, when stream time
 * reaches its end + grace, in window-start order. Outputs are hand-written as `key@start/end`.
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

function pipe(driver: TestDriver, records: Array<[key: string, timestamp: number, value?: string]>): void {
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
  for (const [key, timestamp, value] of records) input.pipeInput(key, value ?? 'v', timestamp);
}

function windowedCount(windows: TimeWindows, strategy: EmitStrategy, options: TestDriverOptions = {}): TestDriver {
  const builder = new StreamsBuilder();
  builder
    .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
    .groupByKey()
    .windowedBy(windows)
    .emitStrategy(strategy)
    .count()
    .toStream()
    .to('out', Produced.with(windowedString, Serdes.Json<number>()));
  return new TestDriver(builder.build(), options);
}

/** "0+v+v..." per window, as Kafka Streams' MockAggregator.TOSTRING_ADDER. */
function windowedStrings(windows: TimeWindows, strategy: EmitStrategy, materialized = Materialized.with<string, string>(Serdes.String(), Serdes.String())): TestDriver {
  const builder = new StreamsBuilder();
  builder
    .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
    .groupByKey()
    .windowedBy(windows)
    .emitStrategy(strategy)
    .aggregate(() => '0', (_k, v, agg) => `${agg}+${v}`, materialized)
    .toStream()
    .to('out', Produced.with(windowedString, Serdes.String()));
  return new TestDriver(builder.build());
}

describe('emit on window update (default)', () => {
  it('emits every update of every window', () => {
    const driver = windowedCount(TimeWindows.ofSizeAndGrace(10, 5), EmitStrategy.onWindowUpdate());
    pipe(driver, [
      ['a', 1],
      ['a', 2],
      ['a', 11],
    ]);
    expect(lines(driver)).toEqual([
      ['a@0/10', 1, 1],
      ['a@0/10', 2, 2],
      ['a@10/20', 1, 11],
    ]);
  });

  it('emits one result per window per commit, with the last value, in order of last update', () => {
    const driver = windowedCount(TimeWindows.ofSizeAndGrace(10, 5), EmitStrategy.onWindowUpdate(), { commitEveryRecord: false });
    pipe(driver, [
      ['a', 1],
      ['a', 2],
      ['b', 3],
      ['a', 4],
    ]);
    expect(lines(driver)).toEqual([]);
    driver.commit();
    expect(lines(driver)).toEqual([
      ['b@0/10', 1, 3],
      ['a@0/10', 3, 4],
    ]);
    pipe(driver, [
      ['a', 12],
      ['a', 13],
    ]);
    driver.commit();
    expect(lines(driver)).toEqual([['a@10/20', 2, 13]]);
    // Nothing changed since: a commit emits nothing.
    driver.commit();
    expect(lines(driver)).toEqual([]);
  });

  it('emits every update at once when the store does not cache', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .count(Materialized.as<string, number>('counts').withCachingDisabled())
      .toStream()
      .to('out', Produced.with(windowedString, Serdes.Json<number>()));
    const driver = new TestDriver(builder.build(), { commitEveryRecord: false });
    pipe(driver, [
      ['a', 1],
      ['a', 2],
    ]);
    expect(lines(driver)).toEqual([
      ['a@0/10', 1, 1],
      ['a@0/10', 2, 2],
    ]);
  });
});

describe('emit on window close', () => {
  it('emits each window once when stream time reaches end + grace, with its final value', () => {
    const driver = windowedCount(TimeWindows.ofSizeAndGrace(10, 5), EmitStrategy.onWindowClose());
    pipe(driver, [
      ['b', 1],
      ['a', 2],
      ['a', 12],
      ['b', 13],
      ['a', 14], // close time 9: [0,10) still open
    ]);
    expect(lines(driver)).toEqual([]);
    pipe(driver, [['c', 15]]); // close time 10: [0,10) closes
    expect(lines(driver)).toEqual([
      ['a@0/10', 1, 2],
      ['b@0/10', 1, 1],
    ]);
    pipe(driver, [['a', 30]]); // close time 25: [10,20) closes
    expect(lines(driver)).toEqual([
      ['a@10/20', 2, 14],
      ['b@10/20', 1, 13],
      ['c@10/20', 1, 15],
    ]);
  });

  it('emits the windows closing together in window-start order, then key order', () => {
    const driver = windowedCount(TimeWindows.ofSizeAndGrace(10, 20), EmitStrategy.onWindowClose());
    pipe(driver, [
      ['z', 11],
      ['a', 21],
      ['m', 22],
      ['x', 50], // close time 30: [10,20) and [20,30) close
    ]);
    expect(lines(driver)).toEqual([
      ['z@10/20', 1, 11],
      ['a@20/30', 1, 21],
      ['m@20/30', 1, 22],
    ]);
  });

  it('emits hopping windows as each closes (KStreamWindowAggregateTest.shouldEmitWithInterval0)', () => {
    const driver = windowedStrings(TimeWindows.ofSizeAndGrace(10, 5).advanceBy(5), EmitStrategy.onWindowClose());
    pipe(driver, [
      ['A', 0, '1'],
      ['A', 5, '1'],
      ['B', 10, '2'],
      ['C', 15, '3'], // close time 10: [0,10)
      ['D', 20, '4'], // close time 15: [5,15)
    ]);
    expect(lines(driver, Serdes.String())).toEqual([
      ['A@0/10', '0+1+1', 5],
      ['A@5/15', '0+1', 5],
      ['B@5/15', '0+2', 10],
    ]);
  });

  it('emits nothing more while no further window closes (shouldNotEmitFinalIfNotProgressEnough)', () => {
    const driver = windowedStrings(TimeWindows.ofSizeAndGrace(10, 5).advanceBy(5), EmitStrategy.onWindowClose());
    pipe(driver, [
      ['A', 0, '1'],
      ['B', 5, '2'],
      ['C', 15, '3'],
    ]);
    expect(lines(driver, Serdes.String())).toEqual([
      ['A@0/10', '0+1', 0],
      ['B@0/10', '0+2', 5],
    ]);
    pipe(driver, [['D', 15, '4']]); // stream time does not advance
    expect(lines(driver, Serdes.String())).toEqual([]);
    pipe(driver, [['E', 19, '5']]); // close time 14: no window ends in (10, 14]
    expect(lines(driver, Serdes.String())).toEqual([]);
  });

  it('still drops late records, and emits a window whose start is exactly retention before the newest (expired-window scenario)', () => {
    // KStreamWindowAggregateTest.shouldLogAndMeterWhenSkippingExpiredWindow with emit-final: at
    // stream time 105 the close time is 15, and [5,15) is emitted although the store's newest
    // window starts 100 ms (its retention) after it.
    const driver = windowedStrings(
      TimeWindows.ofSizeAndGrace(10, 90).advanceBy(5),
      EmitStrategy.onWindowClose(),
      Materialized.with<string, string>(Serdes.String(), Serdes.String()).withLoggingDisabled().withRetention(100),
    );
    pipe(
      driver,
      [100, 0, 1, 2, 3, 4, 5, 6, 105, 106].map((t) => ['k', t, String(t)]),
    );
    expect(driver.droppedRecords().late).toBe(7);
    expect(lines(driver, Serdes.String())).toEqual([['k@5/15', '0+5+6', 6]]);
  });

  it('emits every closed window even when stream time jumps far ahead', () => {
    // Deliberately stricter than Kafka Streams, whose time-ordered store hides windows starting
    // before (newest window start - retention) from the emit scan, so [10,20) would be lost there.
    const driver = windowedCount(TimeWindows.ofSizeAndGrace(10, 5), EmitStrategy.onWindowClose());
    pipe(driver, [
      ['a', 1],
      ['a', 15], // close time 10: [0,10)
      ['a', 1_000], // close time 995: [10,20) must not be lost
    ]);
    expect(lines(driver)).toEqual([
      ['a@0/10', 1, 1],
      ['a@10/20', 1, 15],
    ]);
  });

  it('forwards at once, without waiting for a commit (no cache)', () => {
    const driver = windowedCount(TimeWindows.ofSizeWithNoGrace(10), EmitStrategy.onWindowClose(), { commitEveryRecord: false });
    pipe(driver, [
      ['a', 1],
      ['a', 10],
    ]);
    expect(lines(driver)).toEqual([['a@0/10', 1, 1]]);
  });

  it('gives the same final results as the last eager update of each window', () => {
    const input: Array<[string, number]> = [
      ['a', 1],
      ['b', 3],
      ['a', 8],
      ['a', 12],
      ['b', 9],
      ['a', 25],
      ['b', 40],
    ];
    const eager = windowedCount(TimeWindows.ofSizeAndGrace(10, 5), EmitStrategy.onWindowUpdate());
    const final = windowedCount(TimeWindows.ofSizeAndGrace(10, 5), EmitStrategy.onWindowClose());
    pipe(eager, input);
    pipe(final, input);
    expect(lines(eager)).toEqual([
      ['a@0/10', 1, 1],
      ['b@0/10', 1, 3],
      ['a@0/10', 2, 8],
      ['a@10/20', 1, 12],
      ['b@0/10', 2, 9],
      ['a@20/30', 1, 25],
      ['b@40/50', 1, 40],
    ]);
    // Close times: 12 -> 7, 25 -> 20 ([0,10) and [10,20) close), 40 -> 35 ([20,30) closes).
    expect(lines(final)).toEqual([
      ['a@0/10', 2, 8],
      ['b@0/10', 2, 9],
      ['a@10/20', 1, 12],
      ['a@20/30', 1, 25],
    ]);
  });
});
