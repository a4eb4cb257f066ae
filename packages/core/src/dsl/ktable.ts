import { TopologyError } from '../errors.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import { suppressProcessor } from '../processors/suppress.js';
import {
  type OldValuesFlag,
  tableFilterProcessor,
  tableMapValuesProcessor,
  tableMaterializeProcessor,
  toStreamProcessor,
} from '../processors/table-processors.js';
import type { KeyValue } from '../record.js';
import type { Change } from '../serde/internal-serdes.js';
import { timestampedSerde } from '../serde/internal-serdes.js';
import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import type { Windowed } from '../windows/windowed.js';
import type { Grouped, Materialized, Named } from './config.js';
import type { InternalBuilder } from './internal-builder.js';
import { KGroupedTable } from './kgrouped-table.js';
import { KStream } from './kstream.js';
import type { Suppressed } from './suppressed.js';
import { derivedValueGetter, storeValueGetter, type ValueGetterSupplier } from './value-getter.js';
import type { TableTableJoiner } from '../processors/joins/table-table-join.js';
import { tableTableJoin } from './joins/table-table-join.js';

/** What a windowed table remembers of its windows, for `suppress`. */
export interface WindowedTableInfo {
  readonly graceMs: number;
  readonly innerKeySerde: Serde<unknown>;
}

/**
 * A changelog stream viewed as a table: the latest value per key (Kafka Streams' `KTable`).
 * Internally its records carry changes (new and old value); `toStream()` turns them back into
 * plain records.
 */
export class KTable<K, V> {
  /** @internal */
  constructor(
    /** @internal */ readonly builder: InternalBuilder,
    /** @internal */ readonly nodeName: string,
    /** @internal */ readonly keySerde: Serde<K> | undefined,
    /** @internal */ readonly valueSerde: Serde<V> | undefined,
    /** The store holding this table, if it is materialized (queryable under this name). */
    readonly queryableStoreName: string | undefined,
    /** @internal */ readonly valueGetter: ValueGetterSupplier<K, V>,
    /** @internal */ readonly oldValues: OldValuesFlag,
    /** @internal */ readonly windowInfo?: WindowedTableInfo,
  ) {}

  /** @internal */
  chain<K2, V2>(
    prefix: string,
    supplier: ProcessorSupplier<K, Change<V>, K2, Change<V2>>,
    table: {
      keySerde: Serde<K2> | undefined;
      valueSerde: Serde<V2> | undefined;
      queryableStoreName: string | undefined;
      valueGetter: ValueGetterSupplier<K2, V2>;
      oldValues: OldValuesFlag;
      windowInfo?: WindowedTableInfo;
    },
    named?: Named,
    stores: readonly string[] = [],
  ): KTable<K2, V2> {
    const name = this.builder.name(prefix, named);
    this.builder.addProcessor(name, [this.nodeName], supplier, stores);
    return new KTable(
      this.builder,
      name,
      table.keySerde,
      table.valueSerde,
      table.queryableStoreName,
      table.valueGetter,
      table.oldValues,
      table.windowInfo,
    );
  }

  /**
   * Keeps the entries for which `predicate` holds; an update that fails it deletes the key
   * downstream. Stateless unless `materialized` is given.
   * @example table.filter((user, profile) => profile.active)
   */
  filter(predicate: (key: K, value: V) => boolean, materialized?: Materialized<K, V>, named?: Named): KTable<K, V> {
    return this.filterImpl(predicate, false, materialized, named);
  }

  /**
   * Drops the entries for which `predicate` holds. Stateless unless `materialized` is given.
   * @example table.filterNot((user, profile) => profile.banned)
   */
  filterNot(predicate: (key: K, value: V) => boolean, materialized?: Materialized<K, V>, named?: Named): KTable<K, V> {
    return this.filterImpl(predicate, true, materialized, named);
  }

  private filterImpl(
    predicate: (key: K, value: V) => boolean,
    negate: boolean,
    materialized: Materialized<K, V> | undefined,
    named: Named | undefined,
  ): KTable<K, V> {
    const oldValues = propagatingOldValues(this.oldValues);
    const getter = derivedValueGetter(this.valueGetter, (key, value: V) => (predicate(key, value) !== negate ? value : null));
    const filtered = this.chain(
      'KTABLE-FILTER',
      tableFilterProcessor(predicate, negate, oldValues),
      { ...this.tableShape(), valueGetter: getter, queryableStoreName: undefined, oldValues },
      named,
    );
    return materialized ? filtered.materialize(materialized, 'KTABLE-FILTER') : filtered;
  }

  /**
   * Maps each value, keeping the key. Stateless unless `materialized` is given.
   * @example table.mapValues((profile) => profile.country)
   */
  mapValues<V2>(mapper: (value: V, key: K) => V2, materialized?: Materialized<K, V2>, named?: Named): KTable<K, V2> {
    const flag = propagatingOldValues(this.oldValues);
    const mapped = this.chain(
      'KTABLE-MAPVALUES',
      tableMapValuesProcessor(mapper, flag),
      {
        keySerde: this.keySerde,
        valueSerde: undefined,
        queryableStoreName: undefined,
        valueGetter: derivedValueGetter(this.valueGetter, (key, value: V) => mapper(value, key)),
        oldValues: flag,
        ...(this.windowInfo ? { windowInfo: this.windowInfo } : {}),
      },
      named,
    );
    return materialized ? mapped.materialize(materialized, 'KTABLE-MAPVALUES') : mapped;
  }

  /** @internal Adds a store holding this table's current values. */
  materialize(materialized: Materialized<K, V>, prefix: string): KTable<K, V> {
    const storeName = materialized.storeName ?? this.builder.generated(`${prefix}-STATE-STORE`);
    const keySerde = materialized.keySerde ?? this.keySerde ?? (this.builder.defaultKeySerde as Serde<K>);
    const valueSerde = materialized.valueSerde ?? this.valueSerde ?? (this.builder.defaultValueSerde as Serde<V>);
    this.builder.addStore({
      name: storeName,
      type: 'keyValue',
      keySerde: keySerde as Serde<unknown>,
      valueSerde: timestampedSerde(valueSerde) as Serde<unknown>,
      logging: materialized.loggingEnabled,
      caching: materialized.cachingEnabled,
    });
    const oldValues: OldValuesFlag = { enabled: false };
    return this.chain(
      `${prefix}-MATERIALIZE`,
      tableMaterializeProcessor<K, V>(storeName, oldValues),
      {
        keySerde,
        valueSerde,
        queryableStoreName: storeName,
        valueGetter: storeValueGetter(storeName),
        oldValues,
        ...(this.windowInfo ? { windowInfo: this.windowInfo } : {}),
      },
      undefined,
      [storeName],
    );
  }

  /**
   * The table's updates as a stream; a deleted key arrives as a `null` value. Stateless.
   * @example counts.toStream().to('counts')
   */
  toStream(named?: Named): KStream<K, V | null> {
    const name = this.builder.name('KTABLE-TOSTREAM', named);
    this.builder.addProcessor(name, [this.nodeName], toStreamProcessor<K, V>());
    return new KStream<K, V | null>(this.builder, name, this.keySerde, this.valueSerde, false);
  }

  /**
   * Holds back updates of a windowed table until its windows close, then emits each window's final
   * value once. Stateful (a changelogged buffer).
   * @example
   * views.groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000)).count()
   *   .suppress(Suppressed.untilWindowCloses())
   */
  suppress(suppressed: Suppressed): KTable<K, V> {
    if (!this.windowInfo) {
      throw new TopologyError('suppress(untilWindowCloses) needs a windowed table (the result of a windowed aggregation)');
    }
    const name = this.builder.name('KTABLE-SUPPRESS', suppressed.name);
    const storeName = `${name}-store`;
    this.builder.addStore({
      name: storeName,
      type: 'keyValue',
      keySerde: Serdes.Bytes() as Serde<unknown>,
      valueSerde: Serdes.Bytes() as Serde<unknown>,
      logging: true,
      caching: false,
    });
    const supplier = suppressProcessor(
      storeName,
      this.windowInfo.graceMs,
      this.windowInfo.innerKeySerde,
      (this.valueSerde ?? this.builder.defaultValueSerde) as Serde<V>,
    );
    this.builder.addProcessor(name, [this.nodeName], supplier, [storeName]);
    return new KTable<K, V>(
      this.builder,
      name,
      this.keySerde,
      this.valueSerde,
      undefined,
      this.valueGetter,
      { enabled: false },
      this.windowInfo,
    );
  }

  /**
   * Re-groups the table by a new key for aggregation with adder and subtractor; repartitions.
   * @example users.groupBy((id, user) => ({ key: user.country, value: user })).count()
   */
  groupBy<K2, V2>(selector: (key: K, value: V) => KeyValue<K2, V2>, grouped?: Grouped<K2, V2>): KGroupedTable<K2, V2> {
    this.oldValues.enabled = true;
    return new KGroupedTable(this, selector as (key: unknown, value: unknown) => KeyValue<K2, V2>, grouped);
  }

  private tableShape(): { keySerde: Serde<K> | undefined; valueSerde: Serde<V> | undefined; windowInfo?: WindowedTableInfo } {
    return { keySerde: this.keySerde, valueSerde: this.valueSerde, ...(this.windowInfo ? { windowInfo: this.windowInfo } : {}) };
  }

  // ---- Joins (built in dsl/joins/) ----

  /**
   * Inner join with another table on equal keys: the result table holds `joiner(value,
   * otherValue)` for every key both tables hold. An update of either side forwards the new
   * result; a key leaving either table deletes its result (a `null` value downstream). Stateless
   * unless `materialized` is given (it reads both tables' stores); the tables must be
   * co-partitioned.
   * @returns the join result table; its value getter joins both tables' current values
   * @throws TopologyError if the tables come from different builders
   * @example users.join(profiles, (user, profile) => ({ ...user, profile }), Materialized.as('user-profiles'))
   */
  join<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V, otherValue: VO, key: K) => VR,
    materialized?: Materialized<K, VR>,
    named?: Named,
  ): KTable<K, VR> {
    return tableTableJoin(this, other, 'inner', joiner as TableTableJoiner<K, V, VO, VR>, materialized, named);
  }

  /**
   * Left join with another table: every key of this table has a result, `joiner(value, null)`
   * while `other` lacks the key. Deleting a key of this table deletes its result. Stateless
   * unless `materialized` is given.
   * @example orders.leftJoin(shipments, (order, shipment) => ({ ...order, shipped: shipment !== null }))
   */
  leftJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V, otherValue: VO | null, key: K) => VR,
    materialized?: Materialized<K, VR>,
    named?: Named,
  ): KTable<K, VR> {
    return tableTableJoin(this, other, 'left', joiner as TableTableJoiner<K, V, VO, VR>, materialized, named);
  }

  /**
   * Outer join with another table: every key of either table has a result, with `null` for the
   * side that lacks it; the result is deleted once both sides deleted the key. Stateless unless
   * `materialized` is given.
   * @example stock.outerJoin(orders, (stock, order) => ({ stock: stock ?? 0, ordered: order ?? 0 }))
   */
  outerJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V | null, otherValue: VO | null, key: K) => VR,
    materialized?: Materialized<K, VR>,
    named?: Named,
  ): KTable<K, VR> {
    return tableTableJoin(this, other, 'outer', joiner, materialized, named);
  }
}

/**
 * The old-values flag of an operator that computes its old value from its input's old value: when
 * its consumers need old values, so does it.
 */
function propagatingOldValues(parent: OldValuesFlag): OldValuesFlag {
  let enabled = false;
  return {
    get enabled() {
      return enabled;
    },
    set enabled(value: boolean) {
      enabled = value;
      if (value) parent.enabled = true;
    },
  };
}

/** A windowed table's key type. */
export type WindowedTable<K, V> = KTable<Windowed<K>, V>;
