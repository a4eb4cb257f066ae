import type { ProcessorSupplier } from '../processor/processor.js';
import type { Serde } from '../serde/serde.js';
import type { StreamPartitioner } from '../topology/graph.js';
import { KStream } from './kstream.js';

/** Drops records whose key is null before a repartition topic (they could not be partitioned), counting them. */
function dropNullKeys<K, V>(): ProcessorSupplier<K, V, K, V> {
  return () => {
    let context: Parameters<NonNullable<ReturnType<ProcessorSupplier<K, V, K, V>>['init']>>[0];
    return {
      init(ctx) {
        context = ctx;
      },
      process(record) {
        if (record.key === null || record.key === undefined) context.recordDropped('null-key');
        else context.forward(record);
      },
    };
  };
}

/** Options of one repartition step. */
export interface RepartitionOptions<K, V> {
  /** Topic base name: the topic is `<applicationId>-<name>-repartition`. Generated when absent. */
  readonly name: string | undefined;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly partitions: number | undefined;
  readonly partitioner: StreamPartitioner<K, V> | undefined;
  /** Prefix of generated names. */
  readonly prefix: string;
  /** Drop null-key records before the topic (groupings do; `repartition()` keeps them). */
  readonly dropNullKeys: boolean;
}

/**
 * Routes a stream through an internal repartition topic, as Kafka Streams does before a grouping
 * or join on a changed key: `[filter] -> sink(<name>-repartition) | source(<name>-repartition)`.
 * The sink and the source end up in different sub-topologies.
 */
export function repartitionStream<K, V>(stream: KStream<K, V>, options: RepartitionOptions<K, V>): KStream<K, V> {
  const { builder } = stream;
  const base = options.name ?? builder.generated(options.prefix);
  const topic = `${base}-repartition`;
  const keySerde = (options.keySerde ?? stream.keySerde ?? builder.defaultKeySerde) as Serde<unknown>;
  const valueSerde = (options.valueSerde ?? stream.valueSerde ?? builder.defaultValueSerde) as Serde<unknown>;
  let parent = stream.nodeName;
  if (options.dropNullKeys) {
    const filter = `${topic}-filter`;
    builder.addProcessor(filter, [parent], dropNullKeys<K, V>());
    parent = filter;
  }
  builder.addSink({
    name: `${topic}-sink`,
    parents: [parent],
    topic,
    internal: true,
    keySerde,
    valueSerde,
    ...(options.partitioner ? { partitioner: options.partitioner as never } : {}),
  });
  builder.graph.repartitionTopics.set(topic, {
    name: topic,
    kind: 'repartition',
    ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
  });
  builder.addSource(`${topic}-source`, [topic], keySerde, valueSerde, { internal: true });
  return new KStream<K, V>(builder, `${topic}-source`, keySerde as Serde<K>, valueSerde as Serde<V>, false);
}
