import { TopologyError } from '../errors.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import { type OldValuesFlag, tableSourceProcessor } from '../processors/table-processors.js';
import { timestampedSerde } from '../serde/internal-serdes.js';
import { type ExternalSource, isExternalSource } from '../source/external-source.js';
import type { Serde } from '../serde/serde.js';
import type { KeyValueStore, ValueAndTimestamp } from '../state/stores.js';
import { compileTopology } from '../topology/compile.js';
import type { StoreDefinition } from '../topology/store-definition.js';
import type { Topology } from '../topology/topology.js';
import { Consumed, type Materialized, type Named } from './config.js';
import { addBackfill, addExternalSource } from './external-source-node.js';
import { InternalBuilder, type StreamsBuilderOptions } from './internal-builder.js';
import { KStream } from './kstream.js';
import { KTable } from './ktable.js';
import { storeValueGetter } from './value-getter.js';

/** Options of `builder.stream(topic, options)` beyond `Consumed`. */
export interface StreamOptions<K, V> {
  /** Serdes, timestamp extractor and node name. Default: the builder's serdes. */
  readonly consumed?: Consumed<K, V>;
  /**
   * History to read before the topic (e.g. `parquetSource(archiveDir, ...)`): each partition task
   * reads the records the default partitioner (murmur2 of the serialized key, as kafkajs and the
   * Java client) puts in its partition, then the topic. Default: none.
   */
  readonly backfill?: ExternalSource<K, V>;
  /**
   * Where the topic continues after the backfill, `"<topic>:<partition>" -> offset`. Default: the
   * offsets the backfill records (a Weir table's commit log); a partition neither knows fails the task.
   */
  readonly backfillOffsets?: Readonly<Record<string, string>>;
}

/** A table fully replicated on every instance, for lookups by any key (Kafka Streams' `GlobalKTable`). */
export class GlobalKTable<K, V> {
  /** @internal */
  constructor(
    /** The global store's name. */
    readonly storeName: string,
    /** @internal */ readonly keySerde: Serde<K>,
    /** @internal */ readonly valueSerde: Serde<V>,
  ) {}
}

/** Writes each record of a global topic into the global store (`null` deletes). */
function globalStoreUpdater<K, V>(storeName: string): ProcessorSupplier<K, V, never, never> {
  return () => {
    let store: KeyValueStore<K, ValueAndTimestamp<V>>;
    return {
      init(context) {
        store = context.getStateStore(storeName);
      },
      process(record) {
        if (record.key === null || record.key === undefined) return;
        store.put(record.key, record.value === null || record.value === undefined ? null : { value: record.value, timestamp: record.timestamp });
      },
    };
  };
}

/**
 * Builds a topology with the DSL (Kafka Streams' `StreamsBuilder`).
 *
 * @example
 * const builder = new StreamsBuilder();
 * builder.stream('page-views', Consumed.with(Serdes.String(), Serdes.Json<PageView>()))
 *   .groupBy((user, view) => view.page)
 *   .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000))
 *   .count();
 * const topology = builder.build();
 */
export class StreamsBuilder {
  private readonly internal: InternalBuilder;
  private built = false;

  constructor(options: StreamsBuilderOptions = {}) {
    this.internal = new InternalBuilder(options);
  }

  /**
   * A stream of the records of an external source (`@weir/parquet`'s `parquetSource(...)`): a
   * bounded stream, read by one task (its sub-topology has one partition, like a 1-partition
   * topic) exactly-once: the read position commits with the outputs it caused.
   * @example builder.stream(parquetSource('/archive/clicks', { timestampColumn: 'ts', keyColumns: ['user'] }))
   */
  stream<K, V>(source: ExternalSource<K, V>, named?: Named | string): KStream<K, V>;
  /**
   * A stream of the records of one or more topics. With `{ backfill }`, each partition task first
   * reads the backfill's records of its partition (history, e.g. archived to Parquet), then the
   * topic from the offsets where the backfill ends (`backfillOffsets`, else those the backfill
   * records): no gap, no overlap.
   * @example builder.stream('clicks', Consumed.with(Serdes.String(), Serdes.Json<Click>()))
   * @example builder.stream('clicks', { consumed, backfill: parquetSource('/archive/clicks', { ... }) })
   * @throws TopologyError when a backfill is given for more than one topic
   */
  stream<K, V>(topics: string | readonly string[], consumed?: Consumed<K, V> | StreamOptions<K, V>): KStream<K, V>;
  stream<K, V>(
    topics: string | readonly string[] | ExternalSource<K, V>,
    options?: Consumed<K, V> | StreamOptions<K, V> | Named | string,
  ): KStream<K, V> {
    if (isExternalSource(topics)) {
      const named = options as Named | string | undefined;
      const name = addExternalSource(this.internal, topics as ExternalSource<unknown, unknown>, this.internal.name('KSTREAM-SOURCE', named));
      return new KStream<K, V>(this.internal, name, topics.keySerde, topics.valueSerde, false);
    }
    const consumed = options instanceof Consumed ? options : (options as StreamOptions<K, V> | undefined)?.consumed;
    const backfill = options instanceof Consumed ? undefined : (options as StreamOptions<K, V> | undefined);
    const list = typeof topics === 'string' ? [topics] : [...(topics as readonly string[])];
    const name = this.internal.name('KSTREAM-SOURCE', consumed?.name);
    const keySerde = (consumed?.keySerde ?? this.internal.defaultKeySerde) as Serde<K>;
    const valueSerde = (consumed?.valueSerde ?? this.internal.defaultValueSerde) as Serde<V>;
    this.internal.addSource(name, list, keySerde as Serde<unknown>, valueSerde as Serde<unknown>, {
      ...(consumed?.timestampExtractor ? { timestampExtractor: consumed.timestampExtractor as never } : {}),
    });
    if (backfill?.backfill) {
      addBackfill(this.internal, backfill.backfill as ExternalSource<unknown, unknown>, name, list, backfill.backfillOffsets);
    }
    return new KStream<K, V>(this.internal, name, keySerde, valueSerde, false);
  }

  /**
   * A table of the latest value per key of a topic (a `null` value deletes the key). Stateful:
   * materialized in a key-value store.
   * @example builder.table('users', Consumed.with(Serdes.String(), Serdes.Json<User>()), Materialized.as('users'))
   */
  table<K, V>(topic: string, consumed?: Consumed<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    const source = this.stream<K, V>(topic, consumed);
    const storeName = materialized?.storeName ?? this.internal.generated(`${topic}-STATE-STORE`);
    const keySerde = (materialized?.keySerde ?? source.keySerde) as Serde<K>;
    const valueSerde = (materialized?.valueSerde ?? source.valueSerde) as Serde<V>;
    this.internal.addStore({
      name: storeName,
      type: 'keyValue',
      keySerde: keySerde as Serde<unknown>,
      valueSerde: timestampedSerde(valueSerde) as Serde<unknown>,
      logging: materialized?.loggingEnabled ?? true,
      caching: materialized?.cachingEnabled ?? true,
    });
    const oldValues: OldValuesFlag = { enabled: false };
    const name = this.internal.name('KTABLE-SOURCE');
    this.internal.addProcessor(name, [source.nodeName], tableSourceProcessor<K, V>(storeName, oldValues), [storeName]);
    return new KTable<K, V>(this.internal, name, keySerde, valueSerde, storeName, storeValueGetter(storeName), oldValues);
  }

  /**
   * A table replicated in full on every instance, read from all partitions of `topic`.
   * @example builder.globalTable('countries', Consumed.with(Serdes.String(), Serdes.Json<Country>()))
   */
  globalTable<K, V>(topic: string, consumed?: Consumed<K, V>, materialized?: Materialized<K, V>): GlobalKTable<K, V> {
    const storeName = materialized?.storeName ?? this.internal.generated(`${topic}-STATE-STORE`);
    const keySerde = (materialized?.keySerde ?? consumed?.keySerde ?? this.internal.defaultKeySerde) as Serde<K>;
    const valueSerde = (materialized?.valueSerde ?? consumed?.valueSerde ?? this.internal.defaultValueSerde) as Serde<V>;
    const store: StoreDefinition = {
      name: storeName,
      type: 'keyValue',
      keySerde: keySerde as Serde<unknown>,
      valueSerde: timestampedSerde(valueSerde) as Serde<unknown>,
      // The global topic itself is the changelog.
      logging: false,
      caching: false,
    };
    this.internal.graph.globalStores.push({
      store,
      sourceName: this.internal.name('KSTREAM-SOURCE', consumed?.name),
      topic,
      keySerde: keySerde as Serde<unknown>,
      valueSerde: valueSerde as Serde<unknown>,
      processorName: this.internal.name('KTABLE-SOURCE'),
      supplier: globalStoreUpdater<K, V>(storeName) as unknown as ProcessorSupplier<unknown, unknown, unknown, unknown>,
    });
    return new GlobalKTable<K, V>(storeName, keySerde, valueSerde);
  }

  /** Adds a store for processors of the Processor API (see `Stores`). */
  addStateStore(store: StoreDefinition): this {
    this.internal.addStore(store);
    return this;
  }

  /**
   * Compiles the topology.
   * @throws TopologyError ("Invalid topology: ...") naming the offending node
   */
  build(): Topology {
    if (this.built) throw new TopologyError('build() was already called on this builder');
    this.built = true;
    return compileTopology(this.internal.graph, this.internal.duplicateNames);
  }
}
