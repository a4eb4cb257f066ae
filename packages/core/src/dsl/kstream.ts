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
import { type ExternalSink, isExternalSink } from '../sink/external-sink.js';
import { addExternalSink } from './external-sink-node.js';
import type { Serde } from '../serde/serde.js';
import type { TopicNameExtractor } from '../topology/graph.js';
import type { Grouped, Named, Produced, Repartitioned } from './config.js';
import type { InternalBuilder } from './internal-builder.js';
import { KGroupedStream } from './kgrouped-stream.js';
import { repartitionStream } from './repartition.js';
import type { JoinWindows } from '../windows/join-windows.js';
import type { Joined, StreamJoined } from './config.js';
import { streamJoin } from './joins/kstream-joins.js';
import type { KTable } from './ktable.js';
import type { GlobalKTable } from './streams-builder.js';

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
   * @param prefix prefix of the branch names (default: the split node's generated name, as Kafka Streams)
   */
  split(prefix?: string): BranchedKStream<K, V> {
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
   * Writes the stream to a topic, to a topic chosen per record, or to an external sink such as a
   * Parquet table (`parquetSink(dir, options)` from `@weir/parquet`). Terminal.
   * @example stream.to('page-views-by-user', Produced.with(Serdes.String(), Serdes.Json()))
   */
  to(topic: string | TopicNameExtractor<K, V> | ExternalSink<K, V>, produced?: Produced<K, V>): void {
    if (isExternalSink(topic)) {
      addExternalSink(this, topic as ExternalSink<K, V>);
      return;
    }
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
    // Named first, so that the error names the node (as Kafka Streams' "StateStore ... is not added yet").
    const name = this.builder.name('KSTREAM-PROCESSOR', named);
    for (const store of stores) {
      if (!this.builder.graph.stores.has(store) && !this.builder.graph.globalStores.some((g) => g.store.name === store)) {
        throw new TopologyError(`processor "${name}" uses store "${store}" that was not added with builder.addStateStore()`, {
          context: { node: name, store },
        });
      }
    }
    this.builder.addProcessor(name, [this.nodeName], supplier, stores);
    return new KStream<K2, V2>(this.builder, name, undefined, undefined, true);
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

  // ---- Joins (built in dsl/joins/) ----

  /**
   * Inner join, on equal keys. Records with a null key or value are dropped (counted).
   *
   * - With a stream and `JoinWindows`: a windowed join, stateful (a window store per side). A
   *   record at `t` joins each record of `other` at `[t - before, t + after]`, duplicates
   *   included; each pair is forwarded at once with timestamp `max(t, otherTimestamp)`. A record
   *   whose window closed (`t + after + grace < streamTime`; `t + before + grace` for `other`'s
   *   records) is dropped as late. Inputs whose key may have changed are repartitioned.
   * - With a table: each stream record joins the table's current value of its key; records with
   *   no table value are dropped; table updates produce nothing. Stateless (reads the table's store).
   * - With a global table: each record joins the global table's value of `keySelector(key, value)`,
   *   on every instance, without repartitioning or co-partitioning.
   *
   * @param joiner computes the result from this stream's value, the other value and the key
   * @returns the stream of join results
   * @throws TopologyError if the inputs come from different builders, or a stream-stream join gets no JoinWindows
   * @example
   * clicks.join(views, (click, view) => ({ click, view }), JoinWindows.ofTimeDifferenceAndGrace(5_000, 1_000))
   * orders.join(customers, (order, customer) => ({ ...order, customer }))
   * orders.join(products, (orderId, order) => order.productId, (order, product) => ({ ...order, product }))
   */
  join<VO, VR>(
    other: KStream<K, VO>,
    joiner: (value: V, otherValue: VO, key: K) => VR,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  join<VT, VR>(table: KTable<K, VT>, joiner: (value: V, tableValue: VT, key: K) => VR, joined?: Joined<K, V, VT>): KStream<K, VR>;
  join<KG, VG, VR>(
    globalTable: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG,
    joiner: (value: V, globalValue: VG, key: K) => VR,
    named?: Named,
  ): KStream<K, VR>;
  join(other: unknown, second: unknown, third?: unknown, fourth?: unknown): KStream<K, unknown> {
    return streamJoin(this, 'inner', other as never, second, third, fourth);
  }

  /**
   * Left join: as {@link join}, but every record of this stream produces a result, with `null`
   * for the missing other value.
   *
   * - With a stream: stateful; a record that finds no partner is not emitted at once but kept
   *   until its window closes (`streamTime > t + after + grace`) and then forwarded as
   *   `joiner(value, null)` with its own timestamp, unless a partner arrived meanwhile (Kafka
   *   Streams 3.1+, no spurious results). A record with a null key is forwarded at once with
   *   `null` as other value (Kafka Streams 3.7+); the joiner then sees a null key.
   * - With a table or global table: records without a table value are forwarded with `null`; so
   *   are records with a null key (with a table) or whose mapped key is null (with a global table,
   *   when the record key is null).
   *
   * @example
   * views.leftJoin(clicks, (view, click) => ({ view, clicked: click !== null }), JoinWindows.ofTimeDifferenceWithNoGrace(60_000))
   */
  leftJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: (value: V, otherValue: VO | null, key: K) => VR,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  leftJoin<VT, VR>(
    table: KTable<K, VT>,
    joiner: (value: V, tableValue: VT | null, key: K) => VR,
    joined?: Joined<K, V, VT>,
  ): KStream<K, VR>;
  leftJoin<KG, VG, VR>(
    globalTable: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG,
    joiner: (value: V, globalValue: VG | null, key: K) => VR,
    named?: Named,
  ): KStream<K, VR>;
  leftJoin(other: unknown, second: unknown, third?: unknown, fourth?: unknown): KStream<K, unknown> {
    return streamJoin(this, 'left', other as never, second, third, fourth);
  }

  /**
   * Outer windowed join of two streams: as {@link leftJoin}, and records of `other` without a
   * partner are forwarded too, as `joiner(null, otherValue)` once their window closes
   * (`streamTime > t + before + grace`). Stateful. Null-key records of either side are forwarded
   * at once with `null` for the other value.
   * @throws TopologyError when `other` is a table (Kafka Streams has no stream-table outer join)
   * @example
   * left.outerJoin(right, (l, r) => ({ l, r }), JoinWindows.ofTimeDifferenceAndGrace(10_000, 2_000))
   */
  outerJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: (value: V | null, otherValue: VO | null, key: K) => VR,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR> {
    return streamJoin(this, 'outer', other as never, joiner, windows, streamJoined) as KStream<K, VR>;
  }
}

/** A stream being split into branches (Kafka Streams' `BranchedKStream`). */
export class BranchedKStream<K, V> {
  private readonly branches: Array<{ name: string; predicate: (key: K, value: V) => boolean }> = [];
  private readonly splitNode: string;
  private readonly prefix: string;
  private done = false;

  /** @internal */
  constructor(
    private readonly stream: KStream<K, V>,
    prefix: string | undefined,
  ) {
    this.splitNode = stream.builder.name('KSTREAM-BRANCH');
    // Branch names are node names: without a prefix they start with the split node's unique name
    // (Kafka Streams: KSTREAM-BRANCH-0000000001 + "1"), so two unprefixed splits cannot collide.
    this.prefix = prefix ?? this.splitNode;
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
