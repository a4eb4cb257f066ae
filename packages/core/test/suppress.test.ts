import { describe, expect, it } from 'vitest';
import {
  Consumed,
  EmitStrategy,
  Materialized,
  Produced,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  type Topology,
  type TimeWindowedKStream,
  type SessionWindowedKStream,
  type Windowed,
  windowedSerde,
} from '../src/index.js';
import { TestDriver } from '../src/testing.js';

/**
 * `suppress(Suppressed.untilWindowCloses())` on windowed aggregations (Kafka Streams'
 * SuppressScenarioTest, final results for time windows): the buffer keeps the latest value of each
 * window and emits it once when the suppression's stream time reaches window end + grace.
 * Outputs are hand-written as `key@start/end`.
 */

type Line = [window: string, value: number, timestamp: number];

const windowedString = windowedSerde(Serdes.String());

function name(key: Windowed<string>): string {
  return `${key.key}@${key.window.start}/${key.window.end}`;
}

function lines(driver: TestDriver, topic: string): Line[] {
  return driver
    .createOutputTopic(topic, windowedString, Serdes.Json<number>())
    .readRecordsToList()
    .map((r) => [name(r.key), r.value, r.timestamp]);
}

/** A windowed count written raw to `output-raw` and suppressed to `output-suppressed`. */
function rawAndSuppressed(windows: TimeWindows): Topology {
  const builder = new StreamsBuilder();
  const counts = builder
    .stream('input', Consumed.with(Serdes.String(), Serdes.String()))
    .groupBy((k) => k)
    .windowedBy(windows)
    .count(Materialized.as<string, number>('counts').withCachingDisabled());
  counts.suppress(Suppressed.untilWindowCloses()).toStream().to('output-suppressed', Produced.with(windowedString, Serdes.Json<number>()));
  counts.toStream().to('output-raw', Produced.with(windowedString, Serdes.Json<number>()));
  return builder.build();
}

function pipe(driver: TestDriver, keyed: Array<[key: string, timestamp: number]>): void {
  const input = driver.createInputTopic('input', Serdes.String(), Serdes.String());
  for (const [key, timestamp] of keyed) input.pipeInput(key, 'v1', timestamp);
}

describe('suppress until window closes', () => {
  it('emits only the final count of each window (SuppressScenarioTest.shouldSupportFinalResultsForTimeWindows)', () => {
    const driver = new TestDriver(rawAndSuppressed(TimeWindows.ofSizeAndGrace(2, 1)));
    pipe(driver, [
      ['k1', 0],
      ['k1', 1],
      ['k1', 2],
      ['k1', 1],
      ['k1', 0],
      ['k1', 5],
      ['k1', 0], // stream time 5, close time 4: [0,2) is closed, the record is dropped
    ]);
    expect(lines(driver, 'output-raw')).toEqual([
      ['k1@0/2', 1, 0],
      ['k1@0/2', 2, 1],
      ['k1@2/4', 1, 2],
      ['k1@0/2', 3, 1],
      ['k1@0/2', 4, 1],
      ['k1@4/6', 1, 5],
    ]);
    expect(lines(driver, 'output-suppressed')).toEqual([
      ['k1@0/2', 4, 1],
      ['k1@2/4', 1, 2],
    ]);
    expect(driver.droppedRecords().late).toBe(1);
  });

  it('emits every buffered window when stream time jumps (shouldSupportFinalResultsForTimeWindowsWithLargeJump)', () => {
    const driver = new TestDriver(rawAndSuppressed(TimeWindows.ofSizeAndGrace(2, 2)));
    pipe(driver, [
      ['k1', 0],
      ['k1', 1],
      ['k1', 2],
      ['k1', 0],
      ['k1', 3],
      ['k1', 0],
      ['k1', 4],
      ['k1', 0], // dropped: stream time 4 closed [0,2)
      ['k1', 30],
    ]);
    expect(lines(driver, 'output-raw')).toEqual([
      ['k1@0/2', 1, 0],
      ['k1@0/2', 2, 1],
      ['k1@2/4', 1, 2],
      ['k1@0/2', 3, 1],
      ['k1@2/4', 2, 3],
      ['k1@0/2', 4, 1],
      ['k1@4/6', 1, 4],
      ['k1@30/32', 1, 30],
    ]);
    expect(lines(driver, 'output-suppressed')).toEqual([
      ['k1@0/2', 4, 1],
      ['k1@2/4', 2, 3],
      ['k1@4/6', 1, 4],
    ]);
  });

  it('gives the same final results as emit-on-window-close', () => {
    const records: Array<[string, number]> = [
      ['a', 1],
      ['b', 4],
      ['a', 7],
      ['a', 13],
      ['b', 2],
      ['c', 16],
      ['a', 31],
      ['b', 35],
    ];
    const suppressed = new StreamsBuilder();
    suppressed
      .stream('input', Consumed.with(Serdes.String(), Serdes.String()))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .count()
      .suppress(Suppressed.untilWindowCloses())
      .toStream()
      .to('out', Produced.with(windowedString, Serdes.Json<number>()));
    const final = new StreamsBuilder();
    final
      .stream('input', Consumed.with(Serdes.String(), Serdes.String()))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .emitStrategy(EmitStrategy.onWindowClose())
      .count()
      .toStream()
      .to('out', Produced.with(windowedString, Serdes.Json<number>()));
    // Close times: 13 -> 8, 16 -> 11 ([0,10) closes), 31 -> 26 ([10,20) closes), 35 -> 30 ([20,30), empty).
    const expected: Line[] = [
      ['a@0/10', 2, 7],
      ['b@0/10', 2, 4],
      ['a@10/20', 1, 13],
      ['c@10/20', 1, 16],
    ];
    for (const topology of [suppressed.build(), final.build()]) {
      const driver = new TestDriver(topology);
      pipe(driver, records);
      expect(lines(driver, 'out')).toEqual(expected);
    }
  });

  it('holds the latest value of a window, not the first', () => {
    const driver = new TestDriver(rawAndSuppressed(TimeWindows.ofSizeWithNoGrace(10)));
    pipe(driver, [
      ['k', 1],
      ['k', 2],
      ['k', 3],
    ]);
    expect(lines(driver, 'output-suppressed')).toEqual([]);
    pipe(driver, [['other', 10]]);
    expect(lines(driver, 'output-suppressed')).toEqual([['k@0/10', 3, 3]]);
  });

  it('keeps its buffer in a changelogged store named after the suppression', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('input', Consumed.with(Serdes.String(), Serdes.String()))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count(Materialized.as('counts'))
      .suppress(Suppressed.untilWindowCloses().withName('final'));
    const topology = builder.build();
    expect(topology.internalTopics('app').changelogs).toEqual(
      new Map([
        ['counts', 'app-counts-changelog'],
        ['final-store', 'app-final-store-changelog'],
      ]),
    );
    expect(topology.nodes.has('final')).toBe(true);
  });

  it('refuses a table that is not windowed', () => {
    const builder = new StreamsBuilder();
    const counts = builder.stream<string, string>('input').groupByKey().count();
    expect(() => counts.suppress(Suppressed.untilWindowCloses())).toThrow(
      'Invalid topology: suppress(untilWindowCloses) needs a windowed table (the result of a windowed aggregation)',
    );
  });
  /**
   * A long random workload (out of order, some records late) through both ways of emitting final
   * results, with commits every 37 records: between commits the suppression buffer holds the
   * deletions of what it emitted, which its scans must step over.
   */
  describe('equals emit-on-window-close on a long random workload, committing every 37 records', () => {
    const workload = (): Array<[string, number]> => {
      let seed = 7;
      const random = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        return seed / 2_147_483_648;
      };
      // Times are multiples of 10 and the session close offset (gap + grace) is 102: a session never
      // ends exactly at a close time, where suppression (end <= stream time - 102) and emit-on-close
      // (end < stream time - 102) legitimately differ.
      return Array.from({ length: 1_500 }, (_, i) => [`k${Math.floor(random() * 25)}`, 10 * (i * 6 + Math.floor(random() * 40) - (random() < 0.02 ? 60 : 0))]);
    };
    const run = (windowed: (builder: StreamsBuilder) => TimeWindowedKStream<string, string> | SessionWindowedKStream<string, string>, suppress: boolean) => {
      const builder = new StreamsBuilder();
      const stream = windowed(builder);
      const counts = suppress ? stream.count().suppress(Suppressed.untilWindowCloses()) : stream.emitStrategy(EmitStrategy.onWindowClose()).count();
      counts.toStream().to('out', Produced.with(windowedString, Serdes.Json<number>()));
      const driver = new TestDriver(builder.build(), { commitEveryRecord: false });
      const input = driver.createInputTopic('input', Serdes.String(), Serdes.String());
      for (const [i, [key, timestamp]] of [...workload(), ['k0', 1_000_000] as [string, number]].entries()) {
        input.pipeInput(key, 'v', timestamp);
        if (i % 37 === 36) driver.commit();
      }
      driver.commit();
      return lines(driver, 'out')
        .map(([window, value]) => `${window}=${value}`)
        .sort();
    };
    const grouped = (builder: StreamsBuilder) => builder.stream('input', Consumed.with(Serdes.String(), Serdes.String())).groupByKey();

    it('hopping windows', () => {
      const windows = (builder: StreamsBuilder) => grouped(builder).windowedBy(TimeWindows.ofSizeAndGrace(300, 50).advanceBy(100));
      const final = run(windows, false);
      expect(final.length).toBeGreaterThan(1_000); // enough windows, across a 60 s segment boundary
      expect(run(windows, true)).toEqual(final);
    }, 30_000);

    it('session windows', () => {
      const windows = (builder: StreamsBuilder) => grouped(builder).windowedBy(SessionWindows.ofInactivityGapAndGrace(95, 7));
      const final = run(windows, false);
      expect(final.length).toBeGreaterThan(100);
      expect(run(windows, true)).toEqual(final);
    }, 30_000);
  });
});
