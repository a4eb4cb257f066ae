import { describe, expect, it } from 'vitest';
import { Consumed, EmitStrategy, Produced, Serdes, StreamsBuilder, TimeWindows, windowedSerde } from '../src/index.js';
import { TestDriver } from '../src/testing.js';

describe('smoke', () => {
  it('counts words', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(Serdes.String(), Serdes.String()))
      .flatMapValues((v) => v.split(' '))
      .groupBy((_k, w) => w, )
      .count()
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.Json<number>()));
    const t = b.build();
    const d = new TestDriver(t);
    const i = d.createInputTopic('in', Serdes.String(), Serdes.String());
    const o = d.createOutputTopic('out', Serdes.String(), Serdes.Json<number>());
    i.pipeInput('a', 'x y x', 1);
    // As TopologyTestDriver: a commit after each record read back from the repartition topic.
    expect(o.readKeyValuesToList()).toEqual([{ key: 'x', value: 1 }, { key: 'y', value: 1 }, { key: 'x', value: 2 }]);
  });
  it('windowed count emit final', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(Serdes.String(), Serdes.String()))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .emitStrategy(EmitStrategy.onWindowClose())
      .count()
      .toStream()
      .to('out', Produced.with(windowedSerde(Serdes.String()), Serdes.Json<number>()));
    const d = new TestDriver(b.build());
    const i = d.createInputTopic('in', Serdes.String(), Serdes.String());
    const o = d.createOutputTopic('out', windowedSerde(Serdes.String()), Serdes.Json<number>());
    i.pipeInput('a', 'x', 1);
    i.pipeInput('a', 'x', 9);
    i.pipeInput('b', 'x', 12);
    i.pipeInput('a', 'x', 15);
    i.pipeInput('a', 'x', 3);
    expect(o.readKeyValuesToList()).toEqual([{ key: { key: 'a', window: { start: 0, end: 10 } }, value: 2 }]);
    expect(d.droppedRecords().late).toBe(1);
  });
});
