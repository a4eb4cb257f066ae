import type {
  KeyValue,
  ReadOnlyKeyValueStore,
  ReadOnlySessionStore,
  ReadOnlyWindowStore,
  Serde,
  WindowEntry,
  Windowed,
} from '@weir/core';

/**
 * Read-only views over one store of every local task (Kafka Streams' composite stores for
 * interactive queries). Each task holds a disjoint set of keys (its partition), so a point read
 * asks each task until one has the key, and a scan concatenates the tasks' results (ordered
 * within a task, not across tasks). Views read committed state only.
 */
export function compositeKeyValueStore<K, V>(parts: () => ReadOnlyKeyValueStore<K, V>[]): ReadOnlyKeyValueStore<K, V> {
  return {
    get: (key) => firstDefined(parts(), (s) => s.get(key)),
    range: (from, to) => concat(parts(), (s) => s.range(from, to)),
    reverseRange: (from, to) => concat(parts(), (s) => s.reverseRange(from, to)),
    all: () => concat(parts(), (s) => s.all()),
    prefixScan: <P>(prefix: P, serde: Serde<P>) => concat(parts(), (s) => s.prefixScan(prefix, serde)),
    approximateNumEntries: () => parts().reduce((n, s) => n + s.approximateNumEntries(), 0),
  };
}

/** See {@link compositeKeyValueStore}; for window stores. */
export function compositeWindowStore<K, V>(parts: () => ReadOnlyWindowStore<K, V>[]): ReadOnlyWindowStore<K, V> {
  return {
    fetch: (key, windowStart) => firstDefined(parts(), (s) => s.fetch(key, windowStart)),
    fetchRange: (key, from, to) => concat<WindowEntry<V>, ReadOnlyWindowStore<K, V>>(parts(), (s) => s.fetchRange(key, from, to)),
    backwardFetch: (key, from, to) => concat<WindowEntry<V>, ReadOnlyWindowStore<K, V>>(parts(), (s) => s.backwardFetch(key, from, to)),
    fetchAll: (from, to) => concat<KeyValue<Windowed<K>, V>, ReadOnlyWindowStore<K, V>>(parts(), (s) => s.fetchAll(from, to)),
    all: () => concat<KeyValue<Windowed<K>, V>, ReadOnlyWindowStore<K, V>>(parts(), (s) => s.all()),
  };
}

/** See {@link compositeKeyValueStore}; for session stores. */
export function compositeSessionStore<K, V>(parts: () => ReadOnlySessionStore<K, V>[]): ReadOnlySessionStore<K, V> {
  return {
    findSessions: (key, earliestEnd, latestStart) => concat(parts(), (s) => s.findSessions(key, earliestEnd, latestStart)),
    backwardFindSessions: (key, earliestEnd, latestStart) => concat(parts(), (s) => s.backwardFindSessions(key, earliestEnd, latestStart)),
    fetchSession: (key, start, end) => firstDefined(parts(), (s) => s.fetchSession(key, start, end)),
    fetch: (key) => concat(parts(), (s) => s.fetch(key)),
  };
}

function firstDefined<S, T>(stores: S[], read: (store: S) => T | undefined): T | undefined {
  for (const store of stores) {
    const value = read(store);
    if (value !== undefined) return value;
  }
  return undefined;
}

function* concat<T, S>(stores: S[], read: (store: S) => Iterable<T>): Iterable<T> {
  for (const store of stores) yield* read(store);
}
