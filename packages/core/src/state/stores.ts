import type { KeyValue } from '../record.js';
import type { Serde } from '../serde/serde.js';
import type { Windowed } from '../windows/windowed.js';

/** Any state store. */
export interface StateStore {
  readonly name: string;
}

/** Read access to a key-value store (safe for interactive queries). */
export interface ReadOnlyKeyValueStore<K, V> {
  /** The value of `key`, or `undefined`. */
  get(key: K): V | undefined;
  /** Entries with `from <= key <= to` in serialized-key order (both bounds inclusive, as Kafka Streams); a missing bound is open. */
  range(from?: K, to?: K): Iterable<KeyValue<K, V>>;
  /** As {@link range}, in reverse order. */
  reverseRange(from?: K, to?: K): Iterable<KeyValue<K, V>>;
  /** Every entry in serialized-key order. */
  all(): Iterable<KeyValue<K, V>>;
  /** Every entry whose serialized key starts with the serialized `prefix`. */
  prefixScan<P>(prefix: P, prefixSerde: Serde<P>): Iterable<KeyValue<K, V>>;
  /** A cheap estimate of the number of entries. */
  approximateNumEntries(): number;
}

/** A key-value store. */
export interface KeyValueStore<K, V> extends StateStore, ReadOnlyKeyValueStore<K, V> {
  /** Stores `value` under `key`; `null` deletes. */
  put(key: K, value: V | null): void;
  /** Stores `value` unless `key` has one; returns the existing value. */
  putIfAbsent(key: K, value: V): V | undefined;
  /** Deletes `key`, returning its old value. */
  delete(key: K): V | undefined;
}

/** One window of a key in a window store: its start time and value. */
export interface WindowEntry<V> {
  readonly windowStart: number;
  readonly value: V;
}

/** Read access to a window store. Time bounds are inclusive and apply to window start times. */
export interface ReadOnlyWindowStore<K, V> {
  /** The value of `key` in the window starting at `windowStart`. */
  fetch(key: K, windowStart: number): V | undefined;
  /** The windows of `key` starting within `[timeFrom, timeTo]`, oldest first. */
  fetchRange(key: K, timeFrom: number, timeTo: number): Iterable<WindowEntry<V>>;
  /** As {@link fetchRange}, newest first. */
  backwardFetch(key: K, timeFrom: number, timeTo: number): Iterable<WindowEntry<V>>;
  /**
   * Every key's windows starting within `[timeFrom, timeTo]`, by time segment, then serialized
   * key, then window start (as Kafka Streams' RocksDB window store): not in window-start order
   * across keys; sort when that order matters.
   */
  fetchAll(timeFrom: number, timeTo: number): Iterable<KeyValue<Windowed<K>, V>>;
  /** Every window in the store, in the order of {@link fetchAll}. */
  all(): Iterable<KeyValue<Windowed<K>, V>>;
}

/** A window store: values per key and window start. */
export interface WindowStore<K, V> extends StateStore, ReadOnlyWindowStore<K, V> {
  /** Stores `value` for `key` in the window starting at `windowStart`; `null` deletes. */
  put(key: K, value: V | null, windowStart: number): void;
}

/** Read access to a session store. */
export interface ReadOnlySessionStore<K, V> {
  /**
   * Sessions of `key` that end at or after `earliestSessionEndTime` and start at or before
   * `latestSessionStartTime` (the sessions a record at those bounds could merge with).
   */
  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): Iterable<KeyValue<Windowed<K>, V>>;
  /** As {@link findSessions}, newest first. */
  backwardFindSessions(
    key: K,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): Iterable<KeyValue<Windowed<K>, V>>;
  /** The value of exactly the session `[start, end]` of `key`. */
  fetchSession(key: K, start: number, end: number): V | undefined;
  /** Every session of `key`. */
  fetch(key: K): Iterable<KeyValue<Windowed<K>, V>>;
}

/** A session store: values per key and session window. */
export interface SessionStore<K, V> extends StateStore, ReadOnlySessionStore<K, V> {
  /** Stores the aggregate of a session; `null` removes it. */
  put(session: Windowed<K>, value: V | null): void;
  /** Removes a session. */
  remove(session: Windowed<K>): void;
}

/** A value with the timestamp it was last updated at (Kafka Streams' `ValueAndTimestamp`). */
export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestamp: number;
}
