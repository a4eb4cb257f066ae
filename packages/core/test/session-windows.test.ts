import { describe, expect, it } from 'vitest';
import {
  Consumed,
  EmitStrategy,
  Grouped,
  type KTable,
  keyValue,
  Materialized,
  Produced,
  type Serde,
  Serdes,
  type SessionWindowedKStream,
  SessionWindows,
  StreamsBuilder,
  Suppressed,
  TopologyError,
  type Windowed,
  windowedSerde,
} from '../src/index.js';
import { TestDriver } from '../src/testing.js';

// Expected outputs are worked out by hand from Kafka Streams' session semantics: a session is
// [first record, last record]; a record within the inactivity gap of sessions merges them; a
// session closes once stream time passes end + gap + grace; forwarded records carry the session
// end as timestamp. The TestDriver commits after every record, so with the store cache on, each
// record yields one update per session it touched (a merged-away session as a tombstone).

type Row<V> = { key: Windowed<string>; value: V | null; timestamp: number };

function row<V>(key: string, start: number, end: number, value: V | null, timestamp = end): Row<V> {
  return { key: { key, window: { start, end } }, value, timestamp };
}

function sessionDriver<A>(
  windows: SessionWindows,
  build: (sessions: SessionWindowedKStream<string, string>) => KTable<Windowed<string>, A>,
  valueSerde: Serde<A>,
) {
  const builder = new StreamsBuilder();
  const sessions = builder.stream('in', Consumed.with(Serdes.String(), Serdes.String())).groupByKey().windowedBy(windows);
  build(sessions)
    .toStream()
    .to('out', Produced.with(windowedSerde(Serdes.String()), valueSerde as Serde<A | null>));
  const driver = new TestDriver(builder.build());
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
  const output = driver.createOutputTopic('out', windowedSerde(Serdes.String()), valueSerde);
  const read = (): Array<Row<A>> => output.readRecordsToList().map(({ key, value, timestamp }) => ({ key, value, timestamp }));
  return { driver, input, read };
}

const counting = (emit = EmitStrategy.onWindowUpdate(), materialized = Materialized.as<string, number>('counts')) =>
  (sessions: SessionWindowedKStream<string, string>) => sessions.emitStrategy(emit).count(materialized);

/** Concatenates values; merging shows which sessions were combined, oldest first. */
const concatenating = (materialized?: Materialized<string, string>) => (sessions: SessionWindowedKStream<string, string>) =>
  sessions.aggregate(
    () => '0',
    (_key, value, aggregate) => `${aggregate}+${value}`,
    (_key, older, newer) => `${older}|${newer}`,
    materialized ?? Materialized.as<string, string>('concat').withValueSerde(Serdes.String()),
  );

const GAP = 10;

describe('session windows: emit on update', () => {
  it('starts a session per key and extends it within the gap (KS shouldHandleMultipleSessionsAndMerging)', () => {
    const { input, read } = sessionDriver(SessionWindows.ofInactivityGapWithNoGrace(GAP), counting(), Serdes.Json<number>());
    for (const key of ['a', 'b', 'c', 'd']) input.pipeInput(key, '1', 0);
    expect(read()).toEqual([row('a', 0, 0, 1), row('b', 0, 0, 1), row('c', 0, 0, 1), row('d', 0, 0, 1)]);

    // Within the gap: [0, 0] of d is replaced by [0, 5].
    input.pipeInput('d', '2', 5);
    expect(read()).toEqual([row('d', 0, 0, null), row('d', 0, 5, 2)]);

    // 11 is more than the gap after a's and b's sessions: new sessions.
    input.pipeInput('a', '2', 11);
    input.pipeInput('b', '2', 11);
    expect(read()).toEqual([row('a', 11, 11, 1), row('b', 11, 11, 1)]);

    input.pipeInput('a', '3', 16);
    input.pipeInput('c', '3', 16);
    expect(read()).toEqual([row('a', 11, 11, null), row('a', 11, 16, 2), row('c', 16, 16, 1)]);
  });

  it('updates a session in place for a record inside it (KS shouldUpdateSessionIfTheSameTime)', () => {
    const { input, read } = sessionDriver(SessionWindows.ofInactivityGapWithNoGrace(GAP), counting(), Serdes.Json<number>());
    input.pipeInput('mel', 'first', 0);
    input.pipeInput('mel', 'second', 0);
    input.pipeInput('mel', 'third', 8);
    input.pipeInput('mel', 'fourth', 3);
    expect(read()).toEqual([
      row('mel', 0, 0, 1),
      row('mel', 0, 0, 2),
      row('mel', 0, 0, null),
      row('mel', 0, 8, 3),
      // [0, 8] absorbs 3 without changing its bounds: one update, no tombstone.
      row('mel', 0, 8, 4),
    ]);
  });

  it('merges the two sessions a record bridges, with tombstones for both (KS shouldMergeSessions)', () => {
    // Retention 3 * gap as in Kafka Streams' test: with the default (gap + grace) the older
    // session would already be out of the store's retention (see the next test).
    const { input, read } = sessionDriver(
      SessionWindows.ofInactivityGapWithNoGrace(GAP),
      concatenating(Materialized.as<string, string>('concat').withValueSerde(Serdes.String()).withRetention(3 * GAP)),
      Serdes.String(),
    );
    input.pipeInput('k', 'a', 0);
    input.pipeInput('k', 'b', 20);
    expect(read()).toEqual([row('k', 0, 0, '0+a'), row('k', 20, 20, '0+b')]);

    input.pipeInput('k', 'c', 10);
    expect(read()).toEqual([row('k', 0, 0, null), row('k', 20, 20, null), row('k', 0, 20, '0|0+a|0+b+c')]);
  });

  it('does not merge a session already out of the default retention (gap + grace), as Kafka Streams without a cache', () => {
    const { input, read } = sessionDriver(SessionWindows.ofInactivityGapWithNoGrace(GAP), concatenating(), Serdes.String());
    input.pipeInput('k', 'a', 0);
    input.pipeInput('k', 'b', 20);
    read();
    // [0, 0] ended gap + grace + 10 before the store's latest session: only [20, 20] is found.
    input.pipeInput('k', 'c', 10);
    expect(read()).toEqual([row('k', 20, 20, null), row('k', 10, 20, '0|0+b+c')]);
  });

  it('keeps the sessions of different keys apart', () => {
    const { input, read } = sessionDriver(SessionWindows.ofInactivityGapAndGrace(GAP, 100), concatenating(), Serdes.String());
    input.pipeInput('x', '1', 0);
    input.pipeInput('y', '2', 5);
    input.pipeInput('x', '3', 8);
    input.pipeInput('y', '4', 30);
    expect(read()).toEqual([
      row('x', 0, 0, '0+1'),
      row('y', 5, 5, '0+2'),
      row('x', 0, 0, null),
      row('x', 0, 8, '0|0+1+3'),
      row('y', 30, 30, '0+4'),
    ]);
  });

  it('forwards removed sessions at once without a cache (KS shouldImmediatelyForwardRemovedSessionsWhenMerging)', () => {
    const { input, read } = sessionDriver(
      SessionWindows.ofInactivityGapWithNoGrace(GAP),
      counting(undefined, Materialized.as<string, number>('counts').withCachingDisabled()),
      Serdes.Json<number>(),
    );
    input.pipeInput('a', '1', 0);
    input.pipeInput('a', '1', 5);
    expect(read()).toEqual([row('a', 0, 0, 1), row('a', 0, 0, null), row('a', 0, 5, 2)]);
  });

  it('keeps only the merged session in the store (KS shouldRemoveMergedSessionsFromStateStore)', () => {
    const { driver, input } = sessionDriver(SessionWindows.ofInactivityGapWithNoGrace(GAP), counting(), Serdes.Json<number>());
    input.pipeInput('a', '1', 0);
    expect([...driver.getSessionStore<string, number>('counts').fetch('a')]).toEqual([
      { key: { key: 'a', window: { start: 0, end: 0 } }, value: 1 },
    ]);
    input.pipeInput('a', '2', 5);
    expect([...driver.getSessionStore<string, number>('counts').fetch('a')]).toEqual([
      { key: { key: 'a', window: { start: 0, end: 5 } }, value: 2 },
    ]);
  });

  it('accepts a record until stream time passes session end + gap + grace (KS shouldLogAndMeterWhenSkippingLateRecordWithNonzeroGrace)', () => {
    const { driver, input, read } = sessionDriver(SessionWindows.ofInactivityGapAndGrace(GAP, 1), counting(), Serdes.Json<number>());
    input.pipeInput('dummy', 'dummy', 0);
    input.pipeInput('OnTime1', '1', 0);
    expect(read()).toEqual([row('dummy', 0, 0, 1), row('OnTime1', 0, 0, 1)]);

    // Stream time 11 = 0 + gap + grace: a session [0, 0] is still open.
    input.pipeInput('dummy', 'dummy', 11);
    input.pipeInput('OnTime2', '1', 0);
    expect(read()).toEqual([row('dummy', 11, 11, 1), row('OnTime2', 0, 0, 1)]);
    expect(driver.droppedRecords().late).toBe(0);

    // Stream time 12: it is closed, and a record whose session would be [0, 0] is dropped.
    input.pipeInput('dummy', 'dummy', 12);
    input.pipeInput('Late1', '1', 0);
    expect(read()).toEqual([row('dummy', 11, 11, null), row('dummy', 11, 12, 2)]);
    expect(driver.droppedRecords().late).toBe(1);
  });

  it('drops a late record even when it would merge into a closed session (KS shouldLogAndMeterWhenSkippingLateRecordWithZeroGrace)', () => {
    const { driver, input, read } = sessionDriver(SessionWindows.ofInactivityGapWithNoGrace(GAP), counting(), Serdes.Json<number>());
    input.pipeInput('k', '1', 0);
    input.pipeInput('other', '1', 11);
    read();
    input.pipeInput('k', '2', 0);
    expect(read()).toEqual([]);
    expect(driver.droppedRecords().late).toBe(1);
  });

  it('drops and counts records with a null key', () => {
    const { driver, input, read } = sessionDriver(SessionWindows.ofInactivityGapWithNoGrace(GAP), counting(), Serdes.Json<number>());
    input.pipeInput(null, '1', 0);
    expect(read()).toEqual([]);
    expect(driver.droppedRecords()['null-key']).toBe(1);
  });
});

describe('session windows: count, reduce, aggregate', () => {
  it('counts, adding the counts of merged sessions', () => {
    const { input, read } = sessionDriver(SessionWindows.ofInactivityGapAndGrace(GAP, 30), counting(), Serdes.Json<number>());
    input.pipeInput('k', '1', 0);
    input.pipeInput('k', '2', 1);
    input.pipeInput('k', '3', 20);
    input.pipeInput('k', '4', 10);
    expect(read()).toEqual([
      row('k', 0, 0, 1),
      row('k', 0, 0, null),
      row('k', 0, 1, 2),
      row('k', 20, 20, 1),
      row('k', 0, 1, null),
      row('k', 20, 20, null),
      row('k', 0, 20, 4),
    ]);
  });

  it('reduces, combining merged sessions with the reducer', () => {
    const { input, read } = sessionDriver(
      SessionWindows.ofInactivityGapAndGrace(GAP, 30),
      (sessions) => sessions.reduce((aggregate, value) => `${aggregate}${value}`, Materialized.as<string, string>('reduced')),
      Serdes.String(),
    );
    input.pipeInput('k', 'a', 0);
    input.pipeInput('k', 'b', 20);
    input.pipeInput('k', 'c', 10);
    expect(read()).toEqual([
      row('k', 0, 0, 'a'),
      row('k', 20, 20, 'b'),
      row('k', 0, 0, null),
      row('k', 20, 20, null),
      row('k', 0, 20, 'abc'),
    ]);
  });

  it('aggregates, merging sessions with the merger, oldest first', () => {
    const { input, read } = sessionDriver(SessionWindows.ofInactivityGapAndGrace(GAP, 30), concatenating(), Serdes.String());
    input.pipeInput('k', 'a', 0);
    input.pipeInput('k', 'b', 5);
    input.pipeInput('k', 'c', 30);
    input.pipeInput('k', 'd', 20);
    expect(read()).toEqual([
      row('k', 0, 0, '0+a'),
      row('k', 0, 0, null),
      row('k', 0, 5, '0|0+a+b'),
      row('k', 30, 30, '0+c'),
      // 20 is within the gap of [30, 30] only (5 + 10 < 20).
      row('k', 30, 30, null),
      row('k', 20, 30, '0|0+c+d'),
    ]);
  });

  it('rejects a retention shorter than gap + grace', () => {
    const builder = new StreamsBuilder();
    const sessions = builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(GAP, 5));
    const tooShort = () => sessions.count(Materialized.as<string, number>('short').withRetention(14));
    expect(tooShort).toThrow(TopologyError);
    expect(tooShort).toThrow('Invalid topology: store "short" retention 14 ms is shorter than inactivity gap + grace (15 ms)');
    expect(() => sessions.count(Materialized.as<string, number>('enough').withRetention(15))).not.toThrow();
  });
});

describe('session windows: emit on close', () => {
  it('emits each session once it closes, by end time (KS shouldHandleMultipleSessionsAndMerging)', () => {
    const { input, read } = sessionDriver(
      SessionWindows.ofInactivityGapWithNoGrace(GAP),
      counting(EmitStrategy.onWindowClose()),
      Serdes.Json<number>(),
    );
    for (const key of ['a', 'b', 'c', 'd']) input.pipeInput(key, '1', 0);
    input.pipeInput('d', '2', 5);
    expect(read()).toEqual([]);

    // Stream time 11: sessions ending before 11 - gap = 1 are final.
    input.pipeInput('a', '2', 11);
    expect(read()).toEqual([row('a', 0, 0, 1), row('b', 0, 0, 1), row('c', 0, 0, 1)]);

    input.pipeInput('b', '2', 11);
    expect(read()).toEqual([]);

    // Stream time 16: d's [0, 5] (end 5 < 6) closes.
    input.pipeInput('a', '3', 16);
    input.pipeInput('c', '3', 16);
    expect(read()).toEqual([row('d', 0, 5, 2)]);
  });

  it('emits sessions once, never twice (KS shouldHaveMultipleSessionsForSameIdWhenTimestampApartBySessionGap)', () => {
    const { input, read } = sessionDriver(
      SessionWindows.ofInactivityGapWithNoGrace(GAP),
      counting(EmitStrategy.onWindowClose()),
      Serdes.Json<number>(),
    );
    input.pipeInput('mel', 'first', 0);
    input.pipeInput('mel', 'second', 11);
    input.pipeInput('mel', 'second', 11);
    expect(read()).toEqual([row('mel', 0, 0, 1)]);
    input.pipeInput('mel', 'third', 22);
    input.pipeInput('mel', 'third', 22);
    input.pipeInput('mel', 'third', 22);
    expect(read()).toEqual([row('mel', 11, 11, 2)]);
  });

  it('emits a session at end + gap + grace + 1 with a grace period', () => {
    const { driver, input, read } = sessionDriver(
      SessionWindows.ofInactivityGapAndGrace(GAP, 5),
      counting(EmitStrategy.onWindowClose()),
      Serdes.Json<number>(),
    );
    input.pipeInput('k', '1', 0);
    input.pipeInput('k', '2', 4);
    input.pipeInput('tick', '1', 19);
    // 19 = 4 + gap + grace: [0, 4] still open, and an out-of-order record may extend it.
    input.pipeInput('k', '3', 2);
    expect(read()).toEqual([]);
    input.pipeInput('tick', '1', 20);
    expect(read()).toEqual([row('k', 0, 4, 3)]);
    expect(driver.droppedRecords().late).toBe(0);
  });
});

describe('session windows: emit on close, across segments', () => {
  // Session stores keep segments of at least 60 s. A record that closes a session ending near
  // its segment's end can also be the one whose write expires that segment (retention is gap +
  // grace): the session must be emitted, not dropped with its segment.
  it('emits a closed session whose segment the closing record expires', () => {
    const { read } = (() => {
      const d = sessionDriver(SessionWindows.ofInactivityGapWithNoGrace(GAP), counting(EmitStrategy.onWindowClose()), Serdes.Json<number>());
      d.input.pipeInput('a', '1', 59_990);
      d.input.pipeInput('a', '2', 59_995);
      // Stream time 60,020: [59,990, 59,995] closes (59,995 < 60,020 - gap) and segment 0
      // ([0, 60,000)) is past retention (60,020 - gap >= 60,000).
      d.input.pipeInput('b', '1', 60_020);
      return d;
    })();
    expect(read()).toEqual([row('a', 59_990, 59_995, 2)]);
  });

  it('does not emit a closed session that a record within the grace period merges into an open one', () => {
    const { input, read } = sessionDriver(SessionWindows.ofInactivityGapAndGrace(GAP, 20), counting(EmitStrategy.onWindowClose()), Serdes.Json<number>());
    input.pipeInput('k', '1', 100);
    input.pipeInput('k', '2', 118);
    // Stream time 140: [100, 100] is closed (100 < 140 - 20 - gap = 110), [118, 118] is not.
    input.pipeInput('tick', '1', 140);
    expect(read()).toEqual([row('k', 100, 100, 1)]);
    input.pipeInput('k', '3', 125);
    input.pipeInput('tick', '1', 160);
    expect(read()).toEqual([row('k', 118, 125, 2)]);
  });
});

describe('session windows: suppress', () => {
  it('suppresses a session count until its session closes (KS SuppressScenarioTest.shouldSupportFinalResultsForSessionWindows)', () => {
    const builder = new StreamsBuilder();
    const counts = builder
      .stream('input', Consumed.with(Serdes.String(), Serdes.String()))
      .groupBy((key) => key, Grouped.with(Serdes.String(), Serdes.String()))
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5))
      .count(Materialized.as<string, number>('counts').withCachingDisabled());
    const asText = (key: Windowed<string>) => `[${key.key}@${key.window.start}/${key.window.end}]`;
    counts
      .suppress(Suppressed.untilWindowCloses())
      .toStream()
      .map((key, value) => keyValue(asText(key), value))
      .to('output-suppressed', Produced.with(Serdes.String(), Serdes.Json<number | null>()));
    counts
      .toStream()
      .map((key, value) => keyValue(asText(key), value))
      .to('output-raw', Produced.with(Serdes.String(), Serdes.Json<number | null>()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('input', Serdes.String(), Serdes.String());
    input.pipeInput('k1', 'v1', 0);
    input.pipeInput('k1', 'v1', 5);
    // Out of order but within the session: admitted.
    input.pipeInput('k1', 'v1', 1);
    // Another key advances stream time to 11: k1's [0, 5] closes (5 < 11 - 5).
    input.pipeInput('k2', 'v1', 11);
    // Late for the closed session: dropped everywhere.
    input.pipeInput('k1', 'v1', 5);
    input.pipeInput('k1', 'v1', 30);

    const read = (topic: string) =>
      driver
        .createOutputTopic(topic, Serdes.String(), Serdes.Json<number | null>())
        .readRecordsToList()
        .map(({ key, value, timestamp }) => ({ key, value, timestamp }));
    expect(read('output-raw')).toEqual([
      { key: '[k1@0/0]', value: 1, timestamp: 0 },
      { key: '[k1@0/0]', value: null, timestamp: 0 },
      { key: '[k1@0/5]', value: 2, timestamp: 5 },
      { key: '[k1@0/5]', value: null, timestamp: 5 },
      { key: '[k1@0/5]', value: 3, timestamp: 5 },
      { key: '[k2@11/11]', value: 1, timestamp: 11 },
      { key: '[k1@30/30]', value: 1, timestamp: 30 },
    ]);
    expect(read('output-suppressed')).toEqual([
      { key: '[k1@0/5]', value: 3, timestamp: 5 },
      { key: '[k2@11/11]', value: 1, timestamp: 11 },
    ]);
    expect(driver.droppedRecords().late).toBe(1);
  });
});
