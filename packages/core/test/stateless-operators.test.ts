import { describe, expect, it } from 'vitest';
import {
  Consumed,
  type KStream,
  Named,
  type Processor,
  type ProcessorContext,
  type ProcessorSupplier,
  Produced,
  Repartitioned,
  Serdes,
  Stores,
  StreamsBuilder,
  type KeyValueStore,
} from '../src/index.js';
import { TestDriver } from '../src/testing.js';

/**
 * Stateless KStream operators, with the scenarios of Kafka Streams' KStreamFilterTest,
 * KStreamMapTest, KStreamFlatMapTest, KStreamSplitTest, ... Expected outputs are written by hand.
 */

const intKeys = Consumed.with(Serdes.Int32(), Serdes.String());

function intStream(): { builder: StreamsBuilder; stream: KStream<number, string> } {
  const builder = new StreamsBuilder();
  return { builder, stream: builder.stream('in', intKeys) };
}

/** Pipes keys 1..7 with values V1..V7 at timestamps 10, 20, ... */
function pipeOneToSeven(driver: TestDriver): void {
  const input = driver.createInputTopic('in', Serdes.Int32(), Serdes.String());
  for (let k = 1; k <= 7; k++) input.pipeInput(k, `V${k}`, k * 10);
}

describe('filter and filterNot', () => {
  it('keeps only the records for which the predicate holds', () => {
    const { builder, stream } = intStream();
    stream.filter((k) => k % 3 === 0).to('out', Produced.with(Serdes.Int32(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    pipeOneToSeven(driver);
    const out = driver.createOutputTopic('out', Serdes.Int32(), Serdes.String());
    expect(out.readRecordsToList()).toEqual([
      { key: 3, value: 'V3', timestamp: 30, headers: {} },
      { key: 6, value: 'V6', timestamp: 60, headers: {} },
    ]);
  });

  it('filterNot drops the records for which the predicate holds', () => {
    const { builder, stream } = intStream();
    stream.filterNot((k) => k % 3 === 0).to('out', Produced.with(Serdes.Int32(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    pipeOneToSeven(driver);
    const out = driver.createOutputTopic('out', Serdes.Int32(), Serdes.String());
    expect(out.readKeyValuesToList().map((r) => r.key)).toEqual([1, 2, 4, 5, 7]);
  });

  it('passes records with a null key or value to the predicate like any other', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
      .filter((k, v) => k === null || v === null)
      .to('out', Produced.with(Serdes.String(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput(null, 'a', 1);
    input.pipeInput('b', 'b', 2);
    input.pipeInput('c', null, 3);
    const out = driver.createOutputTopic('out', Serdes.String(), Serdes.String());
    expect(out.readKeyValuesToList()).toEqual([
      { key: null, value: 'a' },
      { key: 'c', value: null },
    ]);
  });
});

describe('map, mapValues, selectKey', () => {
  it('map replaces key and value and keeps timestamp and headers', () => {
    const { builder, stream } = intStream();
    stream.map((k, v) => ({ key: v, value: k * 2 })).to('out', Produced.with(Serdes.String(), Serdes.Int32()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.Int32(), Serdes.String());
    const headers = { trace: new Uint8Array([1, 2]) };
    input.pipeInput(21, 'x', 500, headers);
    const out = driver.createOutputTopic('out', Serdes.String(), Serdes.Int32());
    expect(out.readRecordsToList()).toEqual([{ key: 'x', value: 42, timestamp: 500, headers }]);
  });

  it('mapValues replaces the value, keeps the key and gives the mapper the key', () => {
    const { builder, stream } = intStream();
    stream.mapValues((v, k) => `${v}:${k}`).to('out', Produced.with(Serdes.Int32(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.Int32(), Serdes.String());
    input.pipeInput(1, 'a', 5);
    input.pipeInput(2, 'b', 6);
    const out = driver.createOutputTopic('out', Serdes.Int32(), Serdes.String());
    expect(out.readRecordsToList()).toEqual([
      { key: 1, value: 'a:1', timestamp: 5, headers: {} },
      { key: 2, value: 'b:2', timestamp: 6, headers: {} },
    ]);
  });

  it('selectKey replaces only the key', () => {
    const { builder, stream } = intStream();
    stream.selectKey((_k, v) => v.toUpperCase()).to('out', Produced.with(Serdes.String(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.Int32(), Serdes.String());
    input.pipeInput(1, 'a', 7);
    const out = driver.createOutputTopic('out', Serdes.String(), Serdes.String());
    expect(out.readRecordsToList()).toEqual([{ key: 'A', value: 'a', timestamp: 7, headers: {} }]);
  });
});

describe('flatMap and flatMapValues', () => {
  it('flatMap turns key n into n records keyed n*10+i, in order', () => {
    const { builder, stream } = intStream();
    stream
      .flatMap((k, v) => Array.from({ length: k }, (_, i) => ({ key: String(k * 10 + i), value: v })))
      .to('out', Produced.with(Serdes.String(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.Int32(), Serdes.String());
    for (const k of [0, 1, 2, 3]) input.pipeInput(k, `V${k}`, 0);
    const out = driver.createOutputTopic('out', Serdes.String(), Serdes.String());
    expect(out.readKeyValuesToList()).toEqual([
      { key: '10', value: 'V1' },
      { key: '20', value: 'V2' },
      { key: '21', value: 'V2' },
      { key: '30', value: 'V3' },
      { key: '31', value: 'V3' },
      { key: '32', value: 'V3' },
    ]);
  });

  it('flatMapValues emits each value under the input key and timestamp, and nothing for an empty result', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
      .flatMapValues((v) => (v === '' ? [] : v.split(' ')))
      .to('out', Produced.with(Serdes.String(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('k', 'a b', 3);
    input.pipeInput('e', '', 4);
    input.pipeInput('j', 'c', 5);
    const out = driver.createOutputTopic('out', Serdes.String(), Serdes.String());
    expect(out.readRecordsToList()).toEqual([
      { key: 'k', value: 'a', timestamp: 3, headers: {} },
      { key: 'k', value: 'b', timestamp: 3, headers: {} },
      { key: 'j', value: 'c', timestamp: 5, headers: {} },
    ]);
  });
});

describe('peek and foreach', () => {
  it('peek calls the action for every record and forwards it unchanged', () => {
    const seen: Array<[number, string]> = [];
    const { builder, stream } = intStream();
    stream.peek((k, v) => seen.push([k, v])).to('out', Produced.with(Serdes.Int32(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    pipeOneToSeven(driver);
    const out = driver.createOutputTopic('out', Serdes.Int32(), Serdes.String());
    expect(seen).toEqual([
      [1, 'V1'],
      [2, 'V2'],
      [3, 'V3'],
      [4, 'V4'],
      [5, 'V5'],
      [6, 'V6'],
      [7, 'V7'],
    ]);
    expect(out.queueSize()).toBe(7);
  });

  it('foreach calls the action for every record and is terminal', () => {
    const seen: number[] = [];
    const { builder, stream } = intStream();
    stream.foreach((k) => seen.push(k), Named.as('each'));
    const topology = builder.build();
    expect(topology.children.get('each')).toEqual([]);
    const driver = new TestDriver(topology);
    pipeOneToSeven(driver);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('split', () => {
  const isEven = (k: number) => k % 2 === 0;
  const isMultipleOfThree = (k: number) => k % 3 === 0;
  const isMultipleOfFive = (k: number) => k % 5 === 0;
  const isMultipleOfSeven = (k: number) => k % 7 === 0;
  const isNegative = (k: number) => k < 0;

  function pipeKeys(driver: TestDriver): void {
    const input = driver.createInputTopic('in', Serdes.Int32(), Serdes.String());
    for (const k of [-1, 0, 1, 2, 3, 4, 5, 6, 7]) input.pipeInput(k, `V${k}`, 0);
  }

  it('sends each record to the first branch whose predicate holds, and drops the rest without a default branch', () => {
    const { builder, stream } = intStream();
    const branches = stream.split().branch(isEven).branch(isMultipleOfThree).branch(isMultipleOfFive).noDefaultBranch();
    const [x2, x3, x5] = [...branches.values()];
    x2!.to('x2', Produced.with(Serdes.Int32(), Serdes.String()));
    x3!.to('x3', Produced.with(Serdes.Int32(), Serdes.String()));
    x5!.to('x5', Produced.with(Serdes.Int32(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    pipeKeys(driver);
    // 6 is even and a multiple of three: the first branch wins. -1, 1 and 7 match nothing.
    expect(driver.createOutputTopic('x2', Serdes.Int32(), Serdes.String()).readValuesToList()).toEqual(['V0', 'V2', 'V4', 'V6']);
    expect(driver.createOutputTopic('x3', Serdes.Int32(), Serdes.String()).readValuesToList()).toEqual(['V3']);
    expect(driver.createOutputTopic('x5', Serdes.Int32(), Serdes.String()).readValuesToList()).toEqual(['V5']);
  });

  it('names branches prefix + name or prefix + position, and the default branch prefix + "0"', () => {
    const { builder, stream } = intStream();
    const branches = stream
      .split('foo-')
      .branch(isEven, 'bar')
      .branch(isMultipleOfThree)
      .branch(isNegative)
      .branch(isMultipleOfSeven)
      .defaultBranch();
    expect([...branches.keys()]).toEqual(['foo-bar', 'foo-2', 'foo-3', 'foo-4', 'foo-0']);
    for (const [name, branch] of branches) branch.to(name, Produced.with(Serdes.Int32(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    pipeKeys(driver);
    const values = (topic: string) => driver.createOutputTopic(topic, Serdes.Int32(), Serdes.String()).readValuesToList();
    expect(values('foo-bar')).toEqual(['V0', 'V2', 'V4', 'V6']);
    expect(values('foo-2')).toEqual(['V3']);
    expect(values('foo-3')).toEqual(['V-1']);
    expect(values('foo-4')).toEqual(['V7']);
    // The default branch takes what no predicate took: 1 and 5.
    expect(values('foo-0')).toEqual(['V1', 'V5']);
  });

  it('lets two unprefixed splits live in one topology', () => {
    const { builder, stream } = intStream();
    const first = stream.split().branch(isEven).defaultBranch();
    const second = stream.split().branch(isMultipleOfThree).defaultBranch();
    // As Kafka Streams: branch names start with the split node's generated name.
    expect([...first.keys()]).toEqual(['KSTREAM-BRANCH-00000000011', 'KSTREAM-BRANCH-00000000010']);
    expect([...second.keys()]).toEqual(['KSTREAM-BRANCH-00000000021', 'KSTREAM-BRANCH-00000000020']);
    for (const [i, branch] of [...first.values(), ...second.values()].entries()) {
      branch.to(`out-${i}`, Produced.with(Serdes.Int32(), Serdes.String()));
    }
    const driver = new TestDriver(builder.build());
    pipeKeys(driver);
    const values = (topic: string) => driver.createOutputTopic(topic, Serdes.Int32(), Serdes.String()).readValuesToList();
    expect(values('out-0')).toEqual(['V0', 'V2', 'V4', 'V6']);
    expect(values('out-1')).toEqual(['V-1', 'V1', 'V3', 'V5', 'V7']);
    expect(values('out-2')).toEqual(['V0', 'V3', 'V6']);
    expect(values('out-3')).toEqual(['V-1', 'V1', 'V2', 'V4', 'V5', 'V7']);
  });

  it('refuses a branch after the split is finished', () => {
    const { stream } = intStream();
    const split = stream.split('s-');
    split.branch(isEven);
    split.noDefaultBranch();
    expect(() => split.branch(isMultipleOfThree)).toThrow(/^Invalid topology: split "KSTREAM-BRANCH-\d{10}" is already finished$/);
  });
});

describe('event time', () => {
  it('takes event time from the TimestampExtractor of Consumed', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.Json<{ at: number }>()).withTimestampExtractor((record) => record.value.at))
      .to('out', Produced.with(Serdes.String(), Serdes.Json<{ at: number }>()));
    const driver = new TestDriver(builder.build());
    driver.createInputTopic('in', Serdes.String(), Serdes.Json<{ at: number }>()).pipeInput('k', { at: 42 }, 1);
    expect(driver.createOutputTopic('out', Serdes.String(), Serdes.Json()).readRecordsToList()[0]?.timestamp).toBe(42);
  });

  it('drops a record with a negative timestamp, counting it', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.Json<{ at: number }>()).withTimestampExtractor((record) => record.value.at))
      .to('out', Produced.with(Serdes.String(), Serdes.Json<{ at: number }>()));
    const driver = new TestDriver(builder.build());
    driver.createInputTopic('in', Serdes.String(), Serdes.Json<{ at: number }>()).pipeInput('k', { at: -1 }, 1);
    expect(driver.createOutputTopic('out', Serdes.String(), Serdes.Json()).readRecordsToList()).toEqual([]);
    expect(driver.droppedRecords().error).toBe(1);
  });
});

describe('merge', () => {
  it('merges two streams in arrival order', () => {
    const builder = new StreamsBuilder();
    const a = builder.stream('a', Consumed.with(Serdes.String(), Serdes.String()));
    const b = builder.stream('b', Consumed.with(Serdes.String(), Serdes.String()));
    a.merge(b).to('out', Produced.with(Serdes.String(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    const inA = driver.createInputTopic('a', Serdes.String(), Serdes.String());
    const inB = driver.createInputTopic('b', Serdes.String(), Serdes.String());
    inA.pipeInput('1', 'a1', 1);
    inB.pipeInput('2', 'b1', 2);
    inA.pipeInput('3', 'a2', 3);
    inB.pipeInput('4', 'b2', 1);
    const out = driver.createOutputTopic('out', Serdes.String(), Serdes.String());
    expect(out.readRecordsToList()).toEqual([
      { key: '1', value: 'a1', timestamp: 1, headers: {} },
      { key: '2', value: 'b1', timestamp: 2, headers: {} },
      { key: '3', value: 'a2', timestamp: 3, headers: {} },
      { key: '4', value: 'b2', timestamp: 1, headers: {} },
    ]);
  });

  it('refuses to merge streams of two builders', () => {
    const a = new StreamsBuilder().stream<string, string>('a');
    const b = new StreamsBuilder().stream<string, string>('b');
    expect(() => a.merge(b)).toThrow('Invalid topology: cannot merge streams of different builders');
  });
});

describe('to', () => {
  it('writes with the serdes of Produced', () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(Serdes.String(), Serdes.Int32())).to('out', Produced.with(Serdes.String(), Serdes.Int32()));
    const driver = new TestDriver(builder.build());
    driver.createInputTopic('in', Serdes.String(), Serdes.Int32()).pipeInput('k', 258, 0);
    const raw = driver.createOutputTopic('out', Serdes.Bytes(), Serdes.Bytes()).readKeyValuesToList();
    expect(raw).toEqual([{ key: new Uint8Array([0x6b]), value: new Uint8Array([0, 0, 1, 2]) }]);
  });

  it('routes each record to the topic a TopicNameExtractor chooses', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
      .to((record) => `topic-${record.value}`, Produced.with(Serdes.String(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('1', 'a', 1);
    input.pipeInput('2', 'b', 2);
    input.pipeInput('3', 'a', 3);
    expect(driver.createOutputTopic('topic-a', Serdes.String(), Serdes.String()).readKeyValuesToList()).toEqual([
      { key: '1', value: 'a' },
      { key: '3', value: 'a' },
    ]);
    expect(driver.createOutputTopic('topic-b', Serdes.String(), Serdes.String()).readKeyValuesToList()).toEqual([
      { key: '2', value: 'b' },
    ]);
  });
});

/** Records the topic and offset each record was read from. */
function recordSources<K, V>(log: string[]): ProcessorSupplier<K, V, K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    return {
      init(ctx) {
        context = ctx;
      },
      process(record) {
        const meta = context.recordMetadata();
        log.push(`${meta?.topic}@${meta?.offset}:${String(record.key)}`);
        context.forward(record);
      },
    };
  };
}

describe('repartition', () => {
  it('routes records through the internal topic test-app-<name>-repartition', () => {
    const builder = new StreamsBuilder();
    const log: string[] = [];
    builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
      .selectKey((_k, v) => v)
      .repartition(Repartitioned.with(Serdes.String(), Serdes.String()).withName('by-value'))
      .process(recordSources(log))
      .to('out', Produced.with(Serdes.String(), Serdes.String()));
    const topology = builder.build();
    expect(topology.internalTopics('test-app').repartition).toEqual(['test-app-by-value-repartition']);
    expect(topology.subtopologies).toHaveLength(2);
    const driver = new TestDriver(topology);
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('a', 'x', 1);
    input.pipeInput('b', 'y', 2);
    expect(log).toEqual(['test-app-by-value-repartition@0:x', 'test-app-by-value-repartition@1:y']);
    // Each record is processed twice: once before the topic, once after.
    expect(driver.processedRecords()).toBe(4);
    expect(driver.createOutputTopic('out', Serdes.String(), Serdes.String()).readRecordsToList()).toEqual([
      { key: 'x', value: 'x', timestamp: 1, headers: {} },
      { key: 'y', value: 'y', timestamp: 2, headers: {} },
    ]);
  });

  it('names an unnamed repartition topic after a generated KSTREAM-REPARTITION node name', () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(Serdes.String(), Serdes.String())).repartition().to('out');
    // 0: source, 1: the repartition name.
    expect(builder.build().internalTopics('app').repartition).toEqual(['app-KSTREAM-REPARTITION-0000000001-repartition']);
  });

  it('keeps records with a null key (only groupings drop them)', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
      .repartition(Repartitioned.as('r'))
      .to('out', Produced.with(Serdes.String(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    driver.createInputTopic('in', Serdes.String(), Serdes.String()).pipeInput(null, 'v', 1);
    expect(driver.createOutputTopic('out', Serdes.String(), Serdes.String()).readKeyValuesToList()).toEqual([{ key: null, value: 'v' }]);
    expect(driver.droppedRecords()['null-key']).toBe(0);
  });
});

describe('process with a state store', () => {
  /** Forwards a value the first time it is seen; remembers values in the `seen` store. */
  class Dedup implements Processor<string, string, string, string> {
    private context!: ProcessorContext<string, string>;
    private store!: KeyValueStore<string, number>;

    init(context: ProcessorContext<string, string>): void {
      this.context = context;
      this.store = context.getStateStore('seen');
    }

    process(record: { key: string; value: string; timestamp: number; headers: Record<string, Uint8Array> }): void {
      if (this.store.get(record.value) !== undefined) return;
      this.store.put(record.value, record.timestamp);
      this.context.forward(record);
    }
  }

  it('runs a custom processor that reads and writes a store added with addStateStore', () => {
    const builder = new StreamsBuilder();
    builder.addStateStore(Stores.keyValueStore('seen', { keySerde: Serdes.String(), valueSerde: Serdes.Int32() }));
    builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
      .process(() => new Dedup(), ['seen'])
      .to('out', Produced.with(Serdes.String(), Serdes.String()));
    const topology = builder.build();
    expect(topology.internalTopics('test-app').changelogs).toEqual(new Map([['seen', 'test-app-seen-changelog']]));
    const driver = new TestDriver(topology);
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    input.pipeInput('1', 'a', 10);
    input.pipeInput('2', 'b', 20);
    input.pipeInput('3', 'a', 30);
    input.pipeInput('4', 'c', 40);
    expect(driver.createOutputTopic('out', Serdes.String(), Serdes.String()).readKeyValuesToList()).toEqual([
      { key: '1', value: 'a' },
      { key: '2', value: 'b' },
      { key: '4', value: 'c' },
    ]);
    const store = driver.getKeyValueStore<string, number>('seen');
    expect([...store.all()]).toEqual([
      { key: 'a', value: 10 },
      { key: 'b', value: 20 },
      { key: 'c', value: 40 },
    ]);
  });
});
