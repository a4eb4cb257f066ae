import type { Serde } from '../serde/serde.js';
import type { StoreDefinition } from '../topology/store-definition.js';

/** Options shared by every store built with {@link Stores}. */
export interface StoreOptions<K, V> {
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  /** Back the store with a changelog topic (default true). */
  readonly logging?: boolean;
  /** Cache writes per commit (default false for stores of the Processor API, as in Kafka Streams). */
  readonly caching?: boolean;
}

/**
 * Store definitions for the Processor API (Kafka Streams' `Stores`): add them with
 * `builder.addStateStore()` and name them in `stream.process(supplier, [name])`.
 */
export const Stores = {
  /** A key-value store. */
  keyValueStore<K, V>(name: string, options: StoreOptions<K, V>): StoreDefinition {
    return {
      name,
      type: 'keyValue',
      keySerde: options.keySerde as Serde<unknown>,
      valueSerde: options.valueSerde as Serde<unknown>,
      logging: options.logging ?? true,
      caching: options.caching ?? false,
    };
  },

  /** A window store keeping windows of `windowSizeMs` for `retentionMs`. */
  windowStore<K, V>(name: string, options: StoreOptions<K, V> & { retentionMs: number; windowSizeMs: number }): StoreDefinition {
    return {
      name,
      type: 'window',
      keySerde: options.keySerde as Serde<unknown>,
      valueSerde: options.valueSerde as Serde<unknown>,
      logging: options.logging ?? true,
      caching: options.caching ?? false,
      retentionMs: options.retentionMs,
      windowSizeMs: options.windowSizeMs,
    };
  },

  /** A session store keeping sessions for `retentionMs` after they end. */
  sessionStore<K, V>(name: string, options: StoreOptions<K, V> & { retentionMs: number }): StoreDefinition {
    return {
      name,
      type: 'session',
      keySerde: options.keySerde as Serde<unknown>,
      valueSerde: options.valueSerde as Serde<unknown>,
      logging: options.logging ?? true,
      caching: options.caching ?? false,
      retentionMs: options.retentionMs,
    };
  },
} as const;
