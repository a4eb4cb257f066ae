import { describe, expect, it } from 'vitest';
import { Consumed, Materialized, Named, Serdes, Stores, StreamsBuilder, TopologyError } from '../src/index.js';

/**
 * Invalid topologies fail with a TopologyError whose message starts "Invalid topology: " and names
 * the offending node (or store), as Kafka Streams' TopologyException does.
 */

function buildError(build: (builder: StreamsBuilder) => void): TopologyError {
  const builder = new StreamsBuilder();
  try {
    build(builder);
    builder.build();
  } catch (error) {
    expect(error).toBeInstanceOf(TopologyError);
    return error as TopologyError;
  }
  throw new Error('expected a TopologyError');
}

const strings = Consumed.with(Serdes.String(), Serdes.String());

describe('TopologyError', () => {
  it('refuses two nodes with the same Named name', () => {
    const error = buildError((b) => {
      b.stream('in', strings)
        .filter(() => true, Named.as('dup'))
        .mapValues((v) => v, Named.as('dup'));
    });
    expect(error.message).toBe('Invalid topology: node name "dup" is used more than once');
    expect(error.context.node).toBe('dup');
  });

  it('refuses two stores with the same name, naming the store', () => {
    const error = buildError((b) => {
      const stream = b.stream('in', strings);
      stream.groupByKey().count(Materialized.as('counts'));
      stream.groupBy((_k, v) => v).count(Materialized.as('counts'));
    });
    expect(error.message).toBe('Invalid topology: store name "counts" is used more than once');
    expect(error.context.store).toBe('counts');
  });

  it('refuses a topic read by two sources, naming both nodes', () => {
    const error = buildError((b) => {
      b.stream('t', strings);
      b.stream('t', Consumed.as('second'));
    });
    expect(error.message).toBe(
      'Invalid topology: topic "t" is read by both "KSTREAM-SOURCE-0000000000" and "second"; read it once and share the stream',
    );
    expect(error.context).toEqual({ node: 'second', topic: 't' });
  });

  it('refuses a table and a stream on the same topic', () => {
    const error = buildError((b) => {
      b.table('t', strings, Materialized.as('t-store'));
      b.stream('t', strings);
    });
    expect(error.message).toMatch(/^Invalid topology: topic "t" is read by both "KSTREAM-SOURCE-0000000000" and "KSTREAM-SOURCE-0000000002"/);
  });

  it('refuses process() with a store that was never added, naming the processor', () => {
    const error = buildError((b) => {
      b.stream('in', strings).process(() => ({ process: () => {} }), ['nope'], Named.as('my-processor'));
    });
    expect(error.message).toBe('Invalid topology: processor "my-processor" uses store "nope" that was not added with builder.addStateStore()');
    expect(error.context).toEqual({ node: 'my-processor', store: 'nope' });
  });

  it('names a generated processor node when process() uses an unknown store', () => {
    const error = buildError((b) => {
      b.stream('in', strings).process(() => ({ process: () => {} }), ['nope']);
    });
    expect(error.context.node).toBe('KSTREAM-PROCESSOR-0000000001');
  });

  it('refuses process() before the store it uses is added (as Kafka Streams: "StateStore ... is not added yet")', () => {
    const builder = new StreamsBuilder();
    const stream = builder.stream('in', strings);
    expect(() => stream.process(() => ({ process: () => {} }), ['later'])).toThrow(TopologyError);
  });

  it('refuses a topology with no source', () => {
    const error = buildError(() => {});
    expect(error.message).toBe('Invalid topology: the topology has no source node: add builder.stream(), table() or globalTable()');
    const withStoreOnly = buildError((b) => {
      b.addStateStore(Stores.keyValueStore('s', { keySerde: Serdes.String(), valueSerde: Serdes.String() }));
    });
    expect(withStoreOnly.message).toBe(error.message);
  });

  it('refuses a second build() of one builder', () => {
    const builder = new StreamsBuilder();
    builder.stream('in', strings).to('out');
    builder.build();
    expect(() => builder.build()).toThrow(new TopologyError('build() was already called on this builder'));
    expect(() => builder.build()).toThrow(/^Invalid topology: build\(\) was already called on this builder$/);
  });

  it('refuses empty store and node names at once', () => {
    expect(() => Materialized.as('')).toThrow(new RangeError('store name must not be empty'));
    expect(() => Named.as('')).toThrow(new RangeError('a node name must not be empty'));
  });
});
