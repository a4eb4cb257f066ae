import { TopologyError } from '../errors.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import { type OldValuesFlag, tableSourceProcessor } from '../processors/table-processors.js';
import { timestampedSerde } from '../serde/internal-serdes.js';
import type { Serde } from '../serde/serde.js';
import type { KeyValueStore, ValueAndTimestamp } from '../state/stores.js';
import { compileTopology } from '../topology/compile.js';
import type { StoreDefinition } from '../topology/store-definition.js';
import type { Topology } from '../topology/topology.js';
import type { Consumed, Materialized } from './config.js';
import { InternalBuilder, type StreamsBuilderOptions } from './internal-builder.js';
import { KStream } from './kstream.js';
import { KTable } from './ktable.js';
import { storeValueGetter } from './value-getter.js';

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
   * A stream of the records of one or more topics.
   * @example builder.stream('clicks', Consumed.with(Serdes.String(), Serdes.Json<Click>()))
   */
  stream<K, V>(topics: string | readonly string[], consumed?: Consumed<K, V>): KStream<K, V> {
    const list = typeof topics === 'string' ? [topics] : [...topics];
    const name = this.internal.name('KSTREAM-SOURCE', consumed?.name);
    const keySerde = (consumed?.keySerde ?? this.internal.defaultKeySerde) as Serde<K>;
    const valueSerde = (consumed?.valueSerde ?? this.internal.defaultValueSerde) as Serde<V>;
    this.internal.addSource(name, list, keySerde as Serde<unknown>, valueSerde as Serde<unknown>, {
      ...(consumed?.timestampExtractor ? { timestampExtractor: consumed.timestampExtractor as never } : {}),
    });
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
