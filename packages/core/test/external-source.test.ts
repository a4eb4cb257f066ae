import { describe, expect, it } from 'vitest';
import {
  Consumed,
  Grouped,
  type KStream,
  defaultPartition,
  type ExternalSource,
  murmur2,
  Produced,
  type SourceReader,
  type SourceRecord,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  TopologyError,
  windowedSerde,
} from '../src/index.js';
import { TestDriver } from '../src/testing.js';

/**
 * A bounded in-memory source: records in array order, `batchSize` per batch, the position being
 * the index of the next record. Core has no file access; `@weir/parquet` tests the Parquet one.
 */
class ArraySource implements ExternalSource<string, View> {
  readonly keySerde = Serdes.String();
  readonly valueSerde = Serdes.Json<View>();
  readonly opened: (string | undefined)[] = [];
  constructor(
    readonly name: string,
    private readonly records: readonly SourceRecord<string, View>[],
    private readonly batchSize = 3,
    private readonly following?: Record<string, string>,
  ) {}
  async open({ position }: { position: string | undefined }): Promise<SourceReader<string, View>> {
    this.opened.push(position);
    let next = position === undefined ? 0 : Number(position);
    return {
      read: async () => {
        if (next >= this.records.length) return undefined;
        const records = this.records.slice(next, next + this.batchSize);
        next += records.length;
        return { records, position: String(next) };
      },
      close: async () => {},
    };
  }
  describe(): string {
    return `array of ${this.records.length}`;
  }
  async followingOffsets(): Promise<Record<string, string> | undefined> {
    return this.following;
  }
}

type View = { page: string; n: number };

const views: SourceRecord<string, View>[] = [
  { key: 'alice', value: { page: '/a', n: 1 }, timestamp: 1_000 },
  { key: 'bob', value: { page: '/b', n: 2 }, timestamp: 2_000 },
  { key: 'alice', value: { page: '/a', n: 3 }, timestamp: 9_000 },
  { key: 'carol', value: { page: '/c', n: 4 }, timestamp: 12_000 },
  { key: 'alice', value: { page: '/b', n: 5 }, timestamp: 3_000 }, // late for [0, 10s) once stream time is 12s + grace 1s
  { key: 'bob', value: { page: '/a', n: 6 }, timestamp: 15_000 },
  { key: 'bob', value: { page: '/a', n: 7 }, timestamp: 31_000 },
];

const windowed = windowedSerde(Serdes.String());

/** A windowed count per page and a stateless map, from `stream`. */
function topology(stream: (b: StreamsBuilder) => KStream<string, View>) {
  const builder = new StreamsBuilder();
  const source = stream(builder);
  source.mapValues((v) => v.n * 10).to('tens', Produced.with(Serdes.String(), Serdes.Json<number>()));
  source
    .groupBy((_k, v) => v.page, Grouped.with(Serdes.String(), Serdes.Json<View>()))
    .windowedBy(TimeWindows.ofSizeAndGrace(10_000, 1_000))
    .count()
    .toStream()
    .to('counts', Produced.with(windowed, Serdes.Json<number>()));
  return builder.build();
}

function outputs(driver: TestDriver) {
  return {
    tens: driver.createOutputTopic('tens', Serdes.String(), Serdes.Json<number>()).readRecordsToList(),
    counts: driver.createOutputTopic('counts', windowed, Serdes.Json<number>()).readRecordsToList(),
    dropped: driver.droppedRecords(),
  };
}

function fromTopic() {
  const driver = new TestDriver(topology((b) => b.stream('views', Consumed.with(Serdes.String(), Serdes.Json<View>())) ));
  driver.createInputTopic('views', Serdes.String(), Serdes.Json<View>()).pipeRecordList(views);
  return outputs(driver);
}

describe('external sources', () => {
  it('gives the same output as the same records piped from a topic', async () => {
    const source = new ArraySource('views-archive', views);
    const driver = new TestDriver(topology((b) => b.stream(source) ));
    await driver.runSources();
    const got = outputs(driver);
    expect(got.tens.map((r) => r.value)).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(got.dropped.late).toBe(1);
    expect(got).toEqual(fromTopic());
  });

  it('records the position after each batch in the task metadata, and a finished source is not read again', async () => {
    const source = new ArraySource('views-archive', views, 2);
    const driver = new TestDriver(topology((b) => b.stream(source) ));
    await driver.runSources();
    await driver.runSources();
    expect(source.opened).toEqual([undefined]);
    expect(driver.processedRecords()).toBeGreaterThanOrEqual(views.length);
  });

  it('describes the source node and gives it a sub-topology of its own', () => {
    const builder = new StreamsBuilder();
    builder.stream(new ArraySource('archive', views), 'archive-source').to('out');
    builder.stream<string, string>('live').to('out2');
    const description = builder.build().describe();
    expect(description).toContain('Sub-topology: 0\n    Source: archive-source (external: array of 7)\n      --> KSTREAM-SINK-');
    expect(description).toContain('Sub-topology: 1\n    Source: KSTREAM-SOURCE-');
  });

  it('refuses two sources of one name and names that cannot make a topic', () => {
    const builder = new StreamsBuilder();
    builder.stream(new ArraySource('archive', views));
    expect(() => builder.stream(new ArraySource('archive', views))).toThrow(
      'Invalid topology: two external sources are named "archive"; give one another name',
    );
    expect(() => new StreamsBuilder().stream(new ArraySource('a b', views))).toThrow(TopologyError);
  });
});

describe('backfill then live', () => {
  const all = views;
  const split = 4;

  function backfilled(offsets?: Record<string, string>, following?: Record<string, string>) {
    const archive = new ArraySource('views-history', all.slice(0, split), 2, following);
    const driver = new TestDriver(
      topology(
        (b) =>
          b.stream('views', {
            consumed: Consumed.with(Serdes.String(), Serdes.Json<View>()),
            backfill: archive,
            ...(offsets ? { backfillOffsets: offsets } : {}),
          }),
      ),
    );
    return driver;
  }

  it('reads the archive, then the topic from the offset where the archive ends: the output of the whole topic', async () => {
    const driver = backfilled(undefined, { 'views:0': String(split) });
    await driver.runSources();
    // The topic holds the whole data set; records below the archive's end offset are not read again.
    driver.createInputTopic('views', Serdes.String(), Serdes.Json<View>()).pipeRecordList(all);
    expect(outputs(driver)).toEqual(fromTopic());
  });

  it('takes explicit backfillOffsets over the recorded ones', async () => {
    const driver = backfilled({ 'views:0': String(split) }, { 'views:0': '0' });
    await driver.runSources();
    driver.createInputTopic('views', Serdes.String(), Serdes.Json<View>()).pipeRecordList(all);
    expect(outputs(driver)).toEqual(fromTopic());
  });

  it('fails when neither the options nor the source say where the topic continues', async () => {
    const driver = backfilled(undefined, { 'other:0': '5' });
    await expect(driver.runSources()).rejects.toThrow(
      'Invalid topology: backfill "views-history" of topic "views" does not say where partition 0 continues: its source records offsets for [other:0]; pass backfillOffsets { "views:0": "<offset>" }',
    );
  });

  it('refuses live records before the backfill ran', () => {
    const driver = backfilled({ 'views:0': '4' });
    const input = driver.createInputTopic('views', Serdes.String(), Serdes.Json<View>());
    expect(() => input.pipeInput('a', { page: '/', n: 0 }, 0)).toThrow('topic views has a backfill: await driver.runSources() before piping records');
  });

  it('describes the backfill with the topic it precedes', () => {
    const builder = new StreamsBuilder();
    builder.stream('views', { backfill: new ArraySource('history', all) }).to('out');
    expect(builder.build().describe()).toContain('Source: KSTREAM-SOURCE-0000000000 (topics: [views], backfill: array of 7)\n');
  });

  it('refuses a backfill of several topics and malformed offsets', () => {
    const archive = new ArraySource('h', all);
    expect(() => new StreamsBuilder().stream(['a', 'b'], { backfill: archive })).toThrow(
      'Invalid topology: a backfill precedes exactly one topic, but source "KSTREAM-SOURCE-0000000000" reads [a, b]',
    );
    expect(() => new StreamsBuilder().stream('a', { backfill: archive, backfillOffsets: { 'b:0': '1' } })).toThrow(
      'backfillOffsets entry "b:0": "1" must look like "a:<partition>": "<offset>"',
    );
  });
});

describe('default partitioner', () => {
  it('is Kafka murmur2 (the vectors of Kafka UtilsTest.testMurmur2)', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(murmur2(bytes('21'))).toBe(-973932308);
    expect(murmur2(bytes('foobar'))).toBe(-790332482);
    expect(murmur2(bytes('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(bytes('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(bytes('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(bytes('abc'))).toBe(479470107);
  });

  it('maps keys to partitions by the positive hash, keyless records to 0', () => {
    const key = new TextEncoder().encode('foobar');
    expect(defaultPartition(key, 7)).toBe((-790332482 & 0x7fffffff) % 7);
    expect(defaultPartition(null, 7)).toBe(0);
  });
});
