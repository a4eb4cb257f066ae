import { type OldValuesFlag, tableAggregateProcessor, tableRepartitionMapProcessor } from '../processors/table-processors.js';
import type { KeyValue } from '../record.js';
import { type Change, changeSerde, timestampedSerde } from '../serde/internal-serdes.js';
import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import type { Grouped, Materialized, Named } from './config.js';
import type { InternalBuilder } from './internal-builder.js';
import { KStream } from './kstream.js';
import { KTable } from './ktable.js';
import { repartitionStream } from './repartition.js';
import { storeValueGetter } from './value-getter.js';

/**
 * A table re-grouped by a new key (Kafka Streams' `KGroupedTable`). Aggregations take an adder
 * and a subtractor: when a row changes, its old value is subtracted from its old group and its new
 * value added to its new group. Stateful, always repartitioned.
 */
export class KGroupedTable<K, V> {
  /** @internal */
  constructor(
    private readonly table: { readonly builder: InternalBuilder; readonly nodeName: string },
    private readonly selector: (key: unknown, value: unknown) => KeyValue<K, V>,
    private readonly grouped: Grouped<K, V> | undefined,
  ) {}

  /**
   * Counts rows per group.
   * @example users.groupBy((id, u) => ({ key: u.country, value: u })).count()
   */
  count(materialized?: Materialized<K, number>, named?: Named): KTable<K, number> {
    return this.aggregate<number>(
      () => 0,
      (_k, _v, n) => n + 1,
      (_k, _v, n) => n - 1,
      materialized ?? (undefined as Materialized<K, number> | undefined),
      named,
      Serdes.Json<number>(),
    );
  }

  /**
   * Combines rows per group with an adder and a subtractor.
   * @example balances.groupBy((id, b) => ({ key: b.branch, value: b.amount })).reduce((a, v) => a + v, (a, v) => a - v)
   */
  reduce(adder: (aggregate: V, value: V) => V, subtractor: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>, named?: Named): KTable<K, V> {
    const first = Symbol('no aggregate yet');
    return this.aggregate<V>(
      () => first as unknown as V,
      (_k, value, aggregate) => ((aggregate as unknown) === first ? value : adder(aggregate, value)),
      (_k, value, aggregate) => subtractor(aggregate, value),
      materialized,
      named,
    );
  }

  /**
   * Folds rows per group into an aggregate with an adder and a subtractor.
   * @example .aggregate(() => 0, (k, v, sum) => sum + v.amount, (k, v, sum) => sum - v.amount)
   */
  aggregate<A>(
    initializer: () => A,
    adder: (key: K, value: V, aggregate: A) => A,
    subtractor: (key: K, value: V, aggregate: A) => A,
    materialized?: Materialized<K, A>,
    named?: Named,
    defaultValueSerde?: Serde<A>,
  ): KTable<K, A> {
    const { builder } = this.table;
    const storeName = materialized?.storeName ?? builder.generated('KTABLE-AGGREGATE-STATE-STORE');
    const selectName = builder.name('KTABLE-SELECT');
    builder.addProcessor(
      selectName,
      [this.table.nodeName],
      tableRepartitionMapProcessor(this.selector),
    );
    const keySerde = (this.grouped?.keySerde ?? builder.defaultKeySerde) as Serde<K>;
    const valueSerde = (this.grouped?.valueSerde ?? builder.defaultValueSerde) as Serde<V>;
    const selected = new KStream<K, Change<V>>(builder, selectName, keySerde, changeSerde(valueSerde), true);
    const repartitioned = repartitionStream(selected, {
      name: this.grouped?.name ?? storeName,
      keySerde,
      valueSerde: changeSerde(valueSerde),
      partitions: undefined,
      partitioner: undefined,
      prefix: 'KTABLE-REPARTITION',
      dropNullKeys: true,
    });
    const aggregateSerde = (materialized?.valueSerde ?? defaultValueSerde ?? builder.defaultValueSerde) as Serde<A>;
    builder.addStore({
      name: storeName,
      type: 'keyValue',
      keySerde: (materialized?.keySerde ?? keySerde) as Serde<unknown>,
      valueSerde: timestampedSerde(aggregateSerde) as Serde<unknown>,
      logging: materialized?.loggingEnabled ?? true,
      caching: materialized?.cachingEnabled ?? true,
    });
    const oldValues: OldValuesFlag = { enabled: false };
    const name = builder.name('KTABLE-AGGREGATE', named);
    builder.addProcessor(
      name,
      [repartitioned.nodeName],
      tableAggregateProcessor(storeName, initializer, adder, subtractor, oldValues),
      [storeName],
    );
    return new KTable<K, A>(builder, name, keySerde, aggregateSerde, storeName, storeValueGetter(storeName), oldValues);
  }
}
