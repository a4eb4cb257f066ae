import { describe, expect, it } from 'vitest';
import { Consumed, Grouped, Materialized, Named, Produced, Serdes, StreamsBuilder, type Topology } from '../src/index.js';

/**
 * Describing a compiled topology: the text of Kafka Streams' TopologyDescription, a Mermaid chart,
 * the internal topics and the fingerprint. Expected texts are written by hand.
 */

/** Word count with a named grouping (repartition topic) and a named, changelogged store. */
function wordCount(): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream('words', Consumed.with(Serdes.String(), Serdes.String()))
    .filter((_k, v) => v !== '', Named.as('non-empty'))
    .groupBy((_k, v) => v, Grouped.as('by-word'))
    .count(Materialized.as('counts'))
    .toStream()
    .to('word-counts', Produced.with(Serdes.String(), Serdes.Json<number>()));
  return builder.build();
}

describe('describe()', () => {
  it('prints the sub-topologies in the layout of Kafka Streams’ TopologyDescription', () => {
    expect(wordCount().describe()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [words])',
        '      --> non-empty',
        '    Processor: non-empty (stores: [])',
        '      --> KSTREAM-KEY-SELECT-0000000001',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])',
        '      --> by-word-repartition-filter',
        '      <-- non-empty',
        '    Processor: by-word-repartition-filter (stores: [])',
        '      --> by-word-repartition-sink',
        '      <-- KSTREAM-KEY-SELECT-0000000001',
        '    Sink: by-word-repartition-sink (topic: by-word-repartition)',
        '      <-- by-word-repartition-filter',
        '',
        '  Sub-topology: 1',
        '    Source: by-word-repartition-source (topics: [by-word-repartition])',
        '      --> KSTREAM-AGGREGATE-0000000002',
        '    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [counts])',
        '      --> KTABLE-TOSTREAM-0000000003',
        '      <-- by-word-repartition-source',
        '    Processor: KTABLE-TOSTREAM-0000000003 (stores: [])',
        '      --> KSTREAM-SINK-0000000004',
        '      <-- KSTREAM-AGGREGATE-0000000002',
        '    Sink: KSTREAM-SINK-0000000004 (topic: word-counts)',
        '      <-- KTABLE-TOSTREAM-0000000003',
        '',
        '',
      ].join('\n'),
    );
  });

  it('lists several children and parents comma-separated, and a global store as its own sub-topology', () => {
    const builder = new StreamsBuilder();
    const a = builder.stream('a', Consumed.as<string, string>('source-a'));
    const b = builder.stream('b', Consumed.as<string, string>('source-b'));
    const merged = a.merge(b, Named.as('merged'));
    merged.to('out-1', Produced.as('sink-1'));
    merged.to((record) => `out-${record.key}`, Produced.as('sink-2'));
    builder.globalTable('countries', Consumed.as<string, string>('countries-source'), Materialized.as('countries-store'));
    expect(builder.build().describe()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: source-a (topics: [a])',
        '      --> merged',
        '    Source: source-b (topics: [b])',
        '      --> merged',
        '    Processor: merged (stores: [])',
        '      --> sink-1, sink-2',
        '      <-- source-a, source-b',
        '    Sink: sink-1 (topic: out-1)',
        '      <-- merged',
        '    Sink: sink-2 (extractor)',
        '      <-- merged',
        '',
        '  Sub-topology: 1 for global store (will not generate tasks)',
        '    Source: countries-source (topics: [countries])',
        '      --> KTABLE-SOURCE-0000000000',
        '    Processor: KTABLE-SOURCE-0000000000 (stores: [countries-store])',
        '      --> none',
        '      <-- countries-source',
        '',
      ].join('\n'),
    );
  });
});

describe('describeMermaid()', () => {
  it('draws each sub-topology as a subgraph, with topics and stores', () => {
    const chart = wordCount().describeMermaid();
    expect(chart.startsWith('flowchart TD\n')).toBe(true);
    expect(chart).toContain('  subgraph sub0["Sub-topology 0"]\n');
    expect(chart).toContain('  subgraph sub1["Sub-topology 1"]\n');
    expect(chart).toContain('    KSTREAM_AGGREGATE_0000000002["KSTREAM-AGGREGATE-0000000002"]\n');
    expect(chart).toContain('  topic_words[/"words"/] --> KSTREAM_SOURCE_0000000000\n');
    expect(chart).toContain('  by_word_repartition_sink --> topic_by_word_repartition[/"by-word-repartition"/]\n');
    expect(chart).toContain('  topic_by_word_repartition[/"by-word-repartition"/] --> by_word_repartition_source\n');
    expect(chart).toContain('  KSTREAM_AGGREGATE_0000000002 -.- store_counts[("counts")]');
    expect(chart).toContain('  non_empty --> KSTREAM_KEY_SELECT_0000000001\n');
  });
});

describe('internal topics', () => {
  it('names changelogs <app>-<store>-changelog and repartition topics <app>-<name>-repartition', () => {
    const topics = wordCount().internalTopics('app');
    expect(topics.repartition).toEqual(['app-by-word-repartition']);
    expect(topics.changelogs).toEqual(new Map([['counts', 'app-counts-changelog']]));
  });

  it('knows which topics are internal and prefixes only those', () => {
    const topology = wordCount();
    expect(topology.topicName('app', 'by-word-repartition')).toBe('app-by-word-repartition');
    expect(topology.topicName('app', 'words')).toBe('words');
    expect(topology.sourceTopics()).toEqual(['words']);
  });

  it('splits the topology at repartition topics into sub-topologies', () => {
    const topology = wordCount();
    expect(topology.subtopologies.map((s) => s.sourceTopics)).toEqual([['words'], ['by-word-repartition']]);
    expect(topology.subtopologies.map((s) => s.stores)).toEqual([[], ['counts']]);
    expect(topology.subtopologyOf('by-word-repartition')?.id).toBe(1);
  });
});

describe('fingerprint()', () => {
  it('is the same for two identical builds', () => {
    expect(wordCount().fingerprint()).toBe(wordCount().fingerprint());
    expect(wordCount().fingerprint()).toMatch(/^[0-9a-f]{16}$/);
  });

  it('differs when the shape differs', () => {
    const builder = new StreamsBuilder();
    builder.stream('words', Consumed.with(Serdes.String(), Serdes.String())).to('word-counts');
    expect(builder.build().fingerprint()).not.toBe(wordCount().fingerprint());
  });
});
