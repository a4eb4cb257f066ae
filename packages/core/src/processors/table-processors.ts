import type { ProcessorContext, ProcessorSupplier } from '../processor/processor.js';
import { type KeyValue, type StreamRecord, withRecord } from '../record.js';
import type { Change } from '../serde/internal-serdes.js';
import type { KeyValueStore, ValueAndTimestamp } from '../state/stores.js';
import { type CachingStore, tableForwarder } from './table-forwarder.js';

/** Whether a KTable operator must send old values downstream: set at build time by operators that need them. */
export interface OldValuesFlag {
  enabled: boolean;
}

type TimestampedStore<K, V> = KeyValueStore<K, ValueAndTimestamp<V>> & CachingStore<ValueAndTimestamp<V>>;

/** What a store-backed table processor body works with. */
interface StoredTable<KOut, A> {
  readonly context: ProcessorContext<KOut, Change<A>>;
  readonly store: TimestampedStore<KOut, A>;
  readonly forward: ReturnType<typeof tableForwarder<KOut, A>>;
}

/**
 * The shared shell of processors that keep a timestamped store and forward table changes through
 * it (source tables, aggregations): connects the store and the forwarder, and drops (and counts)
 * records with a null key, which a table cannot hold.
 */
function storedTableProcessor<K, VIn, A>(
  storeName: string,
  oldValues: OldValuesFlag,
  body: (record: StreamRecord<K, VIn> & { key: NonNullable<K> }, table: StoredTable<K, A>) => void,
): ProcessorSupplier<K, VIn, K, Change<A>> {
  return () => {
    let table: StoredTable<K, A>;
    return {
      init(context) {
        const store = context.getStateStore<TimestampedStore<K, A>>(storeName);
        table = { context, store, forward: tableForwarder(context, store, () => oldValues.enabled) };
      },
      process(record) {
        if (record.key === null || record.key === undefined) {
          table.context.recordDropped('null-key');
          return;
        }
        body(record as StreamRecord<K, VIn> & { key: NonNullable<K> }, table);
      },
    };
  };
}

/**
 * Materializes a topic as a table (Kafka Streams' `KTableSource`): each record upserts its key
 * (a `null` value deletes it) and the change is forwarded. Records with a null key are dropped.
 */
export function tableSourceProcessor<K, V>(storeName: string, oldValues: OldValuesFlag): ProcessorSupplier<K, V, K, Change<V>> {
  return storedTableProcessor<K, V, V>(storeName, oldValues, (record, { store, forward }) => {
    const old = store.get(record.key);
    const value = record.value ?? null;
    store.put(record.key, value === null ? null : { value, timestamp: record.timestamp });
    forward(record.key, value, old?.value ?? null, record.timestamp, record.headers);
  });
}

/**
 * A table's `filter`/`filterNot` (Kafka Streams' `KTableFilter`): a filtered-out update becomes a
 * deletion downstream, and with old values on, an update invisible before and after is not sent.
 */
export function tableFilterProcessor<K, V>(
  predicate: (key: K, value: V) => boolean,
  negate: boolean,
  oldValues: OldValuesFlag,
): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  const keep = (key: K, value: V | null): V | null => (value !== null && predicate(key, value) !== negate ? value : null);
  return () => {
    let context: ProcessorContext<K, Change<V>>;
    return {
      init(ctx) {
        context = ctx;
      },
      process(record) {
        const newValue = keep(record.key, record.value.newValue);
        const oldValue = oldValues.enabled ? keep(record.key, record.value.oldValue) : null;
        if (oldValues.enabled && newValue === null && oldValue === null) return;
        context.forward(withRecord(record, { value: { newValue, oldValue } }));
      },
    };
  };
}

/** A table's `mapValues` (Kafka Streams' `KTableMapValues`). */
export function tableMapValuesProcessor<K, V, V2>(
  mapper: (value: V, key: K) => V2,
  oldValues: OldValuesFlag,
): ProcessorSupplier<K, Change<V>, K, Change<V2>> {
  const map = (key: K, value: V | null): V2 | null => (value === null ? null : mapper(value, key));
  return () => {
    let context: ProcessorContext<K, Change<V2>>;
    return {
      init(ctx) {
        context = ctx;
      },
      process(record) {
        const newValue = map(record.key, record.value.newValue);
        const oldValue = oldValues.enabled ? map(record.key, record.value.oldValue) : null;
        context.forward(withRecord(record, { value: { newValue, oldValue } }));
      },
    };
  };
}

/**
 * Materializes a derived table (after `filter`/`mapValues` with `Materialized`): stores each
 * change and forwards it, through the cache when the store caches.
 */
export function tableMaterializeProcessor<K, V>(storeName: string, oldValues: OldValuesFlag): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  return () => {
    let store: TimestampedStore<K, V>;
    let forward: ReturnType<typeof tableForwarder<K, V>>;
    return {
      init(ctx) {
        store = ctx.getStateStore(storeName);
        forward = tableForwarder(ctx, store, () => oldValues.enabled);
      },
      process(record) {
        const old = store.get(record.key);
        const value = record.value.newValue;
        store.put(record.key, value === null ? null : { value, timestamp: record.timestamp });
        forward(record.key, value, old?.value ?? null, record.timestamp, record.headers);
      },
    };
  };
}

/** A table's changes as a stream of new values (`KTable.toStream()`); deletions become `null` values. */
export function toStreamProcessor<K, V>(): ProcessorSupplier<K, Change<V>, K, V | null> {
  return () => {
    let context: ProcessorContext<K, V | null>;
    return {
      init(ctx) {
        context = ctx;
      },
      process(record) {
        context.forward(withRecord(record, { value: record.value.newValue }));
      },
    };
  };
}

/**
 * Re-keys a table for `groupBy` (Kafka Streams' `KTableRepartitionMap`): the old value is
 * retracted under its old group and the new value added under its new group; when both land on
 * the same group they travel as one change.
 */
export function tableRepartitionMapProcessor<K, V, K2, V2>(
  selector: (key: K, value: V) => KeyValue<K2, V2>,
): ProcessorSupplier<K, Change<V>, K2, Change<V2>> {
  return () => {
    let context: ProcessorContext<K2, Change<V2>>;
    const select = (key: K, value: V | null) => {
      if (value === null) return undefined;
      const pair = selector(key, value);
      return pair.key === null || pair.key === undefined || pair.value === null || pair.value === undefined ? undefined : pair;
    };
    return {
      init(ctx) {
        context = ctx;
      },
      process(record) {
        const newPair = select(record.key, record.value.newValue);
        const oldPair = select(record.key, record.value.oldValue);
        if (newPair && oldPair && sameKey(newPair.key, oldPair.key)) {
          context.forward(withRecord(record, { key: newPair.key, value: { newValue: newPair.value, oldValue: oldPair.value } }));
          return;
        }
        if (oldPair) context.forward(withRecord(record, { key: oldPair.key, value: { newValue: null, oldValue: oldPair.value } }));
        if (newPair) context.forward(withRecord(record, { key: newPair.key, value: { newValue: newPair.value, oldValue: null } }));
      },
    };
  };
}

function sameKey(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return typeof a === 'object' && a !== null && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Aggregates a grouped table (Kafka Streams' `KTableAggregate`): the subtractor removes a
 * retracted old value, then the adder adds the new one.
 */
export function tableAggregateProcessor<K, V, A>(
  storeName: string,
  initializer: () => A,
  adder: (key: K, value: V, aggregate: A) => A,
  subtractor: (key: K, value: V, aggregate: A) => A,
  oldValues: OldValuesFlag,
): ProcessorSupplier<K, Change<V>, K, Change<A>> {
  return storedTableProcessor<K, Change<V>, A>(storeName, oldValues, (record, { store, forward }) => {
    const old = store.get(record.key);
    const oldAgg = old?.value ?? null;
    let timestamp = record.timestamp;
    let aggregate: A | null = oldAgg;
    if (record.value.oldValue !== null && oldAgg !== null) {
      aggregate = subtractor(record.key, record.value.oldValue, oldAgg);
      timestamp = Math.max(record.timestamp, old!.timestamp);
    }
    if (record.value.newValue !== null) {
      aggregate = adder(record.key, record.value.newValue, aggregate ?? initializer());
      if (old) timestamp = Math.max(record.timestamp, old.timestamp);
    }
    store.put(record.key, aggregate === null ? null : { value: aggregate, timestamp });
    forward(record.key, aggregate, oldAgg, timestamp, record.headers);
  });
}

/**
 * Aggregates a grouped stream (Kafka Streams' `KStreamAggregate`, behind count, reduce and
 * aggregate). Records with a null key or value are dropped and counted.
 */
export function streamAggregateProcessor<K, V, A>(
  storeName: string,
  initializer: () => A,
  aggregator: (key: K, value: V, aggregate: A) => A,
  oldValues: OldValuesFlag,
): ProcessorSupplier<K, V, K, Change<A>> {
  return storedTableProcessor<K, V, A>(storeName, oldValues, (record, { context, store, forward }) => {
    if (record.value === null || record.value === undefined) {
      context.recordDropped('null-value');
      return;
    }
    const old = store.get(record.key);
    const aggregate = aggregator(record.key, record.value, old ? old.value : initializer());
    const timestamp = old ? Math.max(record.timestamp, old.timestamp) : record.timestamp;
    store.put(record.key, { value: aggregate, timestamp });
    forward(record.key, aggregate, old?.value ?? null, timestamp, record.headers);
  });
}
