import type { ProcessorContext } from '../processor/processor.js';
import type { KeyValueStore, ValueAndTimestamp } from '../state/stores.js';

/** Looks up a table's current value for a key (Kafka Streams' `KTableValueGetter`). */
export type ValueGetter<K, V> = (key: K) => ValueAndTimestamp<V> | undefined;

/**
 * How processors downstream of a table (joins) read its current values: from its store, or from
 * an ancestor's store through the table's stateless operators.
 */
export interface ValueGetterSupplier<K, V> {
  /** Stores the reading processor must be connected to. */
  readonly storeNames: readonly string[];
  /** Creates the getter inside a processor's `init`. */
  get(context: ProcessorContext<unknown, unknown>): ValueGetter<K, V>;
}

/** Reads a timestamped key-value store. */
export function storeValueGetter<K, V>(storeName: string): ValueGetterSupplier<K, V> {
  return {
    storeNames: [storeName],
    get(context) {
      const store = context.getStateStore<KeyValueStore<K, ValueAndTimestamp<V>>>(storeName);
      return (key) => store.get(key);
    },
  };
}

/** Reads through a stateless transformation of a parent table's values (`null` result = absent). */
export function derivedValueGetter<K, V, V2>(
  parent: ValueGetterSupplier<K, V>,
  transform: (key: K, value: V) => V2 | null,
): ValueGetterSupplier<K, V2> {
  return {
    storeNames: parent.storeNames,
    get(context) {
      const read = parent.get(context);
      return (key) => {
        const found = read(key);
        if (!found) return undefined;
        const value = transform(key, found.value);
        return value === null ? undefined : { value, timestamp: found.timestamp };
      };
    },
  };
}
