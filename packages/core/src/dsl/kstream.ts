import { TopologyError } from '../errors.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import {
  branchProcessor,
  filterProcessor,
  flatMapProcessor,
  flatMapValuesProcessor,
  mapProcessor,
  mapValuesProcessor,
  passThroughProcessor,
  peekProcessor,
  selectKeyProcessor,
} from '../processors/stateless.js';
import type { KeyValue } from '../record.js';
import type { Serde } from '../serde/serde.js';
import type { TopicNameExtractor } from '../topology/graph.js';
import type { Grouped, Named, Produced, Repartitioned } from './config.js';
import type { InternalBuilder } from './internal-builder.js';
import { KGroupedStream } from './kgrouped-stream.js';
import { repartitionStream } from './repartition.js';

/**
 * An unbounded stream of records (Kafka Streams' `KStream`). Every operator returns a new stream;
 * nothing runs until the topology built from them runs.
 */
export class KStream<K, V> {
  /** @internal */
  constructor(
    /** @internal */ readonly builder: InternalBuilder,
    /** @internal */ readonly nodeName: string,
    /** @internal */ readonly keySerde: Serde<K> | undefined,
    /** @internal */ readonly valueSerde: Serde<V> | undefined,
    /** @internal Whether the key may have changed since the last partitioning (map, selectKey, ...). */
    readonly repartitionRequired: boolean,
  ) {}

  /** @internal Adds a processor after this stream and returns the stream of its output. */
  chain<K2, V2>(
    prefix: string,
    supplier: ProcessorSupplier<K, V, K2, V2>,
    serdes: { keySerde: Serde<K2> | undefined; valueSerde: Serde<V2> | undefined; repartitionRequired: boolean },
    named?: Named,
    stores: readonly string[] = [],
  ): KStream<K2, V2> {
    const name = this.builder.name(prefix, named);
    this.builder.addProcessor(name, [this.nodeName], supplier, stores);
    return new KStream(this.builder, name, serdes.keySerde, serdes.valueSerde, serdes.repartitionRequired);
  }

  private same(): { keySerde: Serde<K> | undefined; valueSerde: Serde<V> | undefined; repartitionRequired: boolean } {
    return { keySerde: this.keySerde, valueSerde: this.valueSerde, repartitionRequired: this.repartitionRequired };
  }

  /**
   * Keeps the records for which `predicate` holds. Stateless.
   * @example stream.filter((key, value) => value.amount > 100)
   */
  filter(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    return this.chain('KSTREAM-FILTER', filterProcessor(predicate, false), this.same(), named);
  }

  /**
   * Drops the records for which `predicate` holds. Stateless.
   * @example stream.filterNot((key) => key === null)
   */
  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    return this.chain('KSTREAM-FILTER', filterProcessor(predicate, true), this.same(), named);
  }

  /**
   * Turns each record into a new key and value. Stateless; marks the stream for repartitioning
   * before a later grouping or join, since the key may have changed.
   * @example stream.map((key, value) => ({ key: value.userId, value: value.page }))
   */
  map<K2, V2>(mapper: (key: K, value: V) => KeyValue<K2, V2>, named?: Named): KStream<K2, V2> {
    return this.chain('KSTREAM-MAP', mapProcessor(mapper), { keySerde: undefined, valueSerde: undefined, repartitionRequired: true }, named);
  }

  /**
   * Turns each value into a new value, keeping the key (no repartitioning needed). Stateless.
   * @example stream.mapValues((value) => value.toUpperCase())
   */
  mapValues<V2>(mapper: (value: V, key: K) => V2, named?: Named): KStream<K, V2> {
    return this.chain(
      'KSTREAM-MAPVALUES',
      mapValuesProcessor(mapper),
      { keySerde: this.keySerde, valueSerde: undefined, repartitionRequired: this.repartitionRequired },
      named,
    );
  }

  /**
   * Turns each record into zero or more records. Stateless; marks the stream for repartitioning.
   * @example stream.flatMap((key, line) => line.split(' ').map((word) => ({ key: word, value: 1 })))
   */
  flatMap<K2, V2>(mapper: (key: K, value: V) => Iterable<KeyValue<K2, V2>>, named?: Named): KStream<K2, V2> {
    return this.chain(
      'KSTREAM-FLATMAP',
      flatMapProcessor(mapper),
      { keySerde: undefined, valueSerde: undefined, repartitionRequired: true },
      named,
    );
  }

  /**
   * Turns each value into zero or more values, keeping the key. Stateless.
   * @example stream.flatMapValues((sentence) => sentence.split(' '))
   */
  flatMapValues<V2>(mapper: (value: V, key: K) => Iterable<V2>, named?: Named): KStream<K, V2> {
    return this.chain(
      'KSTREAM-FLATMAPVALUES',
      flatMapValuesProcessor(mapper),
      { keySerde: this.keySerde, valueSerde: undefined, repartitionRequired: this.repartitionRequired },
      named,
    );
  }

  /**
   * Replaces each record's key. Stateless; marks the stream for repartitioning.
   * @example stream.selectKey((key, view) => view.page)
   */
  selectKey<K2>(selector: (key: K, value: V) => K2, named?: Named): KStream<K2, V> {
    return this.chain(
      'KSTREAM-KEY-SELECT',
      selectKeyProcessor(selector),
      { keySerde: undefined, valueSerde: this.valueSerde, repartitionRequired: true },
      named,
    );
  }

  /**
   * Calls `action` for each record and passes it on unchanged. Stateless.
   * @example stream.peek((key, value) => console.log(key, value))
   */
  peek(action: (key: K, value: V) => void, named?: Named): KStream<K, V> {
    return this.chain('KSTREAM-PEEK', peekProcessor(action, true), this.same(), named);
  }

  /**
   * Calls `action` for each record; a terminal operation. Stateless.
   * @example stream.foreach((key, value) => metrics.observe(value))
   */
  foreach(action: (key: K, value: V) => void, named?: Named): void {
    this.chain('KSTREAM-FOREACH', peekProcessor(action, false), this.same(), named);
  }

  /**
   * Splits the stream into branches by predicates (Kafka Streams' `split()`): each record goes
   * to the first branch whose predicate holds. Stateless.
   * @example
   * const branches = stream.split('route-')
   *   .branch((k, v) => v.kind === 'click', 'clicks')
   *   .defaultBranch('other');
   * branches.get('route-clicks')!.to('clicks');
   */
  split(prefix = ''): BranchedKStream<K, V> {
    return new BranchedKStream(this, prefix);
  }

  /**
   * Merges this stream with another into one stream. Stateless.
   * @example clicks.merge(views)
   */
  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    if (other.builder !== this.builder) throw new TopologyError('cannot merge streams of different builders');
    const name = this.builder.name('KSTREAM-MERGE', named);
    this.builder.addProcessor(name, [this.nodeName, other.nodeName], passThroughProcessor<K, V>());
    return new KStream(this.builder, name, this.keySerde, this.valueSerde, this.repartitionRequired || other.repartitionRequired);
  }

  /**
   * Writes the stream to an internal repartition topic and reads it back, so that records are
   * partitioned by their current key. Stateless.
   * @example stream.selectKey((k, v) => v.user).repartition(Repartitioned.as('by-user'))
   */
  repartition(repartitioned?: Repartitioned<K, V>): KStream<K, V> {
    return repartitionStream(this, {
      name: repartitioned?.name,
      keySerde: repartitioned?.keySerde,
      valueSerde: repartitioned?.valueSerde,
      partitions: repartitioned?.numberOfPartitions,
      partitioner: repartitioned?.partitioner,
      prefix: 'KSTREAM-REPARTITION',
      dropNullKeys: false,
    });
  }

  /**
   * Writes the stream to a topic, or to a topic chosen per record. Terminal.
   * @example stream.to('page-views-by-user', Produced.with(Serdes.String(), Serdes.Json()))
   */
  to(topic: string | TopicNameExtractor<K, V>, produced?: Produced<K, V>): void {
    const name = this.builder.name('KSTREAM-SINK', produced?.name);
    this.builder.addSink({
      name,
      parents: [this.nodeName],
      topic: topic as string | TopicNameExtractor,
      internal: false,
      keySerde: (produced?.keySerde ?? this.keySerde ?? this.builder.defaultKeySerde) as Serde<unknown>,
      valueSerde: (produced?.valueSerde ?? this.valueSerde ?? this.builder.defaultValueSerde) as Serde<unknown>,
      ...(produced?.partitioner ? { partitioner: produced.partitioner as never } : {}),
    });
  }

  /**
   * Runs a custom processor (Processor API) on each record; the processor may use the named stores.
   * @example stream.process(() => new DedupProcessor(), ['dedup-store'])
   */
  process<K2, V2>(supplier: ProcessorSupplier<K, V, K2, V2>, stores: readonly string[] = [], named?: Named): KStream<K2, V2> {
    for (const store of stores) {
      if (!this.builder.graph.stores.has(store) && !this.builder.graph.globalStores.some((g) => g.store.name === store)) {
        throw new TopologyError(`process() uses store "${store}" that was not added with builder.addStateStore()`, {
          context: { store },
        });
      }
    }
    return this.chain('KSTREAM-PROCESSOR', supplier, { keySerde: undefined, valueSerde: undefined, repartitionRequired: true }, named, stores);
  }

  /**
   * Groups by the current key, for aggregation. Repartitions first if the key may have changed.
   * @example stream.groupByKey().count()
   */
  groupByKey(grouped?: Grouped<K, V>): KGroupedStream<K, V> {
    return new KGroupedStream(this, grouped, this.repartitionRequired);
  }

  /**
   * Groups by a new key, for aggregation; always repartitions.
   * @example views.groupBy((key, view) => view.page).count()
   */
  groupBy<K2>(selector: (key: K, value: V) => K2, grouped?: Grouped<K2, V>): KGroupedStream<K2, V> {
    const selected = this.selectKey(selector);
    return new KGroupedStream(selected, grouped, true);
  }
}

/** A stream being split into branches (Kafka Streams' `BranchedKStream`). */
export class BranchedKStream<K, V> {
  private readonly branches: Array<{ name: string; predicate: (key: K, value: V) => boolean }> = [];
  private readonly splitNode: string;
  private done = false;

  /** @internal */
  constructor(
    private readonly stream: KStream<K, V>,
    private readonly prefix: string,
  ) {
    this.splitNode = stream.builder.name('KSTREAM-BRANCH');
  }

  /** Adds a branch taking the records for which `predicate` holds (and no earlier branch took). */
  branch(predicate: (key: K, value: V) => boolean, name?: string): BranchedKStream<K, V> {
    this.checkOpen();
    this.branches.push({ name: `${this.prefix}${name ?? String(this.branches.length + 1)}`, predicate });
    return this;
  }

  /** Ends the split with a branch for the remaining records; returns the branches by name. */
  defaultBranch(name = '0'): Map<string, KStream<K, V>> {
    return this.finish(`${this.prefix}${name}`);
  }

  /** Ends the split; records matching no branch are dropped. Returns the branches by name. */
  noDefaultBranch(): Map<string, KStream<K, V>> {
    return this.finish(undefined);
  }

  private finish(defaultName: string | undefined): Map<string, KStream<K, V>> {
    this.checkOpen();
    this.done = true;
    const { builder } = this.stream;
    const all = [...this.branches.map((b) => b.name), ...(defaultName === undefined ? [] : [defaultName])];
    builder.addProcessor(
      this.splitNode,
      [this.stream.nodeName],
      branchProcessor(
        this.branches.map((b) => ({ child: b.name, predicate: b.predicate })),
        defaultName,
      ),
    );
    const result = new Map<string, KStream<K, V>>();
    for (const name of all) {
      builder.addProcessor(name, [this.splitNode], passThroughProcessor<K, V>());
      result.set(name, new KStream(builder, name, this.stream.keySerde, this.stream.valueSerde, this.stream.repartitionRequired));
    }
    return result;
  }

  private checkOpen(): void {
    if (this.done) throw new TopologyError(`split "${this.splitNode}" is already finished`, { context: { node: this.splitNode } });
  }
}
