import { type OldValuesFlag, streamAggregateProcessor } from '../processors/table-processors.js';
import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import { timestampedSerde } from '../serde/internal-serdes.js';
import { SessionWindows } from '../windows/session-windows.js';
import { SlidingWindows } from '../windows/sliding-windows.js';
import { TimeWindows } from '../windows/time-windows.js';
import type { Grouped, Materialized, Named } from './config.js';
import type { KStream } from './kstream.js';
import { KTable } from './ktable.js';
import { repartitionStream } from './repartition.js';
import { SessionWindowedKStream } from './session-windowed-kstream.js';
import { TimeWindowedKStream } from './time-windowed-kstream.js';
import { storeValueGetter } from './value-getter.js';

/** Where an aggregation reads from and what it stores: resolved once per aggregation. */
export interface AggregationInput<K, V> {
  readonly stream: KStream<K, V>;
  readonly storeName: string;
  readonly keySerde: Serde<K>;
}

/**
 * Resolves the store name and repartitions if needed. Kafka Streams names the repartition topic
 * after the grouping's name or, failing that, the store: `<store>-repartition`.
 */
export function aggregationInput<K, V>(
  stream: KStream<K, V>,
  grouped: Grouped<K, V> | undefined,
  repartitionRequired: boolean,
  storeName: string | undefined,
  storePrefix: string,
): AggregationInput<K, V> {
  const { builder } = stream;
  const name = storeName ?? builder.generated(storePrefix);
  const keySerde = (grouped?.keySerde ?? stream.keySerde ?? builder.defaultKeySerde) as Serde<K>;
  const source = repartitionRequired
    ? repartitionStream(stream, {
        name: grouped?.name ?? name,
        keySerde,
        valueSerde: grouped?.valueSerde ?? stream.valueSerde,
        partitions: undefined,
        partitioner: undefined,
        prefix: 'KSTREAM-REPARTITION',
        dropNullKeys: true,
      })
    : stream;
  return { stream: source, storeName: name, keySerde };
}

/**
 * A stream grouped by key, ready for aggregation (Kafka Streams' `KGroupedStream`). Every
 * aggregation is stateful: it keeps a key-value store backed by a changelog topic, drops records
 * with a null key (counted), and returns the aggregate as a table.
 */
export class KGroupedStream<K, V> {
  /** @internal */
  constructor(
    /** @internal */ readonly stream: KStream<K, V>,
    /** @internal */ readonly grouped: Grouped<K, V> | undefined,
    /** @internal */ readonly repartitionRequired: boolean,
  ) {}

  /**
   * Counts records per key.
   * @example views.groupBy((k, v) => v.page).count(Materialized.as('views-per-page'))
   */
  count(materialized?: Materialized<K, number>, named?: Named): KTable<K, number> {
    return this.build<number>(() => 0, (_key, _value, count) => count + 1, materialized, named, {
      prefix: 'KSTREAM-AGGREGATE',
      valueSerde: Serdes.Json<number>(),
    });
  }

  /**
   * Combines the values of each key with `reducer`; the first value is the initial aggregate.
   * @example amounts.groupByKey().reduce((total, amount) => total + amount)
   */
  reduce(reducer: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>, named?: Named): KTable<K, V> {
    const first = Symbol('no aggregate yet');
    return this.build<V>(
      () => first as unknown as V,
      (_key, value, aggregate) => ((aggregate as unknown) === first ? value : reducer(aggregate, value)),
      materialized,
      named,
      { prefix: 'KSTREAM-REDUCE', valueSerde: this.grouped?.valueSerde ?? this.stream.valueSerde },
    );
  }

  /**
   * Folds the values of each key into an aggregate, starting from `initializer()`.
   * @example
   * views.groupByKey().aggregate(() => ({ n: 0, bytes: 0 }), (k, v, agg) => ({ n: agg.n + 1, bytes: agg.bytes + v.size }))
   */
  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    materialized?: Materialized<K, A>,
    named?: Named,
  ): KTable<K, A> {
    return this.build(initializer, aggregator, materialized, named, { prefix: 'KSTREAM-AGGREGATE', valueSerde: undefined });
  }

  private build<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    materialized: Materialized<K, A> | undefined,
    named: Named | undefined,
    shape: { prefix: string; valueSerde: Serde<A> | undefined },
  ): KTable<K, A> {
    const { builder } = this.stream;
    const input = aggregationInput(this.stream, this.grouped, this.repartitionRequired, materialized?.storeName, `${shape.prefix}-STATE-STORE`);
    const keySerde = (materialized?.keySerde ?? input.keySerde) as Serde<K>;
    const valueSerde = (materialized?.valueSerde ?? shape.valueSerde ?? builder.defaultValueSerde) as Serde<A>;
    builder.addStore({
      name: input.storeName,
      type: 'keyValue',
      keySerde: keySerde as Serde<unknown>,
      valueSerde: timestampedSerde(valueSerde) as Serde<unknown>,
      logging: materialized?.loggingEnabled ?? true,
      caching: materialized?.cachingEnabled ?? true,
    });
    const oldValues: OldValuesFlag = { enabled: false };
    const name = builder.name(shape.prefix, named);
    builder.addProcessor(
      name,
      [input.stream.nodeName],
      streamAggregateProcessor(input.storeName, initializer, aggregator, oldValues),
      [input.storeName],
    );
    return new KTable<K, A>(builder, name, keySerde, valueSerde, input.storeName, storeValueGetter(input.storeName), oldValues);
  }

  /**
   * Windows the grouped stream: tumbling or hopping (`TimeWindows`), sliding (`SlidingWindows`)
   * or session (`SessionWindows`) windows.
   * @example views.groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000)).count()
   */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    if (windows instanceof SessionWindows) return new SessionWindowedKStream(this, windows);
    if (windows instanceof TimeWindows || windows instanceof SlidingWindows) return new TimeWindowedKStream(this, windows);
    throw new TypeError('windowedBy() takes TimeWindows, SlidingWindows or SessionWindows');
  }
}
