import { describe, expect, it } from 'vitest';
import { type Serde, Serdes, windowed } from '../src/index.js';
import { InMemoryTaskBackend } from '../src/state/internal/in-memory-backend.js';
import { StoreBuffer } from '../src/state/internal/store-buffer.js';
import { BufferedKeyValueStore, BufferedSessionStore, BufferedWindowStore } from '../src/state/internal/typed-stores.js';

/**
 * Typed stores over a StoreBuffer: key-value ranges (inclusive bounds, as Kafka Streams), window
 * and session fetches (inclusive time bounds, exact keys even when one key's bytes start another
 * key's), and retention (whole segments dropped, expired windows hidden).
 */

const clock = { recordTimestamp: () => 0 };
const bytes = (...values: number[]) => new Uint8Array(values);

function buffer(name = 's') {
  const backend = new InMemoryTaskBackend();
  const buf = new StoreBuffer(name, backend.store(name), { caching: false, maxCacheBytes: 1_000_000 });
  const commit = () => {
    buf.flush();
    backend.commit({ ...buf.prepareCommit(), checkpoint: {} });
    buf.completeCommit();
  };
  /** Window starts physically present in the byte store. */
  const storedCount = () => [...backend.store(name).range()].length;
  return { buf, commit, storedCount };
}

function kvStore<K>(keySerde: Serde<K>) {
  const { buf, commit } = buffer();
  return { store: new BufferedKeyValueStore<K, number>('s', buf, keySerde, Serdes.Json<number>(), clock), commit };
}

function windowStore<K>(keySerde: Serde<K>, options = { retentionMs: 1_000_000, segmentIntervalMs: 60_000, windowSizeMs: 10 }) {
  const b = buffer();
  return { ...b, store: new BufferedWindowStore<K, number>('s', b.buf, keySerde, Serdes.Json<number>(), clock, options) };
}

function sessionStore<K>(keySerde: Serde<K>, options = { retentionMs: 1_000_000, segmentIntervalMs: 60_000 }) {
  const b = buffer();
  return { ...b, store: new BufferedSessionStore<K, number>('s', b.buf, keySerde, Serdes.Json<number>(), clock, options) };
}

describe('key-value store', () => {
  it('puts, gets, deletes and putIfAbsent', () => {
    const { store } = kvStore(Serdes.String());
    store.put('a', 1);
    expect(store.get('a')).toBe(1);
    expect(store.putIfAbsent('a', 2)).toBe(1);
    expect(store.putIfAbsent('b', 3)).toBeUndefined();
    expect(store.get('b')).toBe(3);
    expect(store.delete('a')).toBe(1);
    expect(store.get('a')).toBeUndefined();
    expect(store.delete('zzz')).toBeUndefined();
    store.put('b', null);
    expect(store.get('b')).toBeUndefined();
  });

  it('ranges over [from, to] with both bounds inclusive, open where absent, in serialized-key order', () => {
    const { store, commit } = kvStore(Serdes.String());
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) store.put(k, i);
    commit();
    store.put('bb', 9);
    const keys = (it: Iterable<{ key: string }>) => [...it].map((e) => e.key);
    expect(keys(store.range('b', 'c'))).toEqual(['b', 'bb', 'c']);
    expect(keys(store.range('b'))).toEqual(['b', 'bb', 'c', 'd']);
    expect(keys(store.range(undefined, 'b'))).toEqual(['a', 'b']);
    expect(keys(store.reverseRange('b', 'c'))).toEqual(['c', 'bb', 'b']);
    expect(keys(store.range('c', 'b'))).toEqual([]);
    expect(keys(store.all())).toEqual(['a', 'b', 'bb', 'c', 'd']);
  });

  it('orders Int32 keys by their bytes, so negative keys come after positive ones (as Kafka Streams)', () => {
    const { store } = kvStore(Serdes.Int32());
    for (const k of [-1, 2, 0, -5, 1]) store.put(k, k);
    expect([...store.all()].map((e) => e.key)).toEqual([0, 1, 2, -5, -1]);
  });

  it('scans the keys starting with a prefix', () => {
    const { store } = kvStore(Serdes.String());
    for (const k of ['app', 'apple', 'apricot', 'b', 'ap']) store.put(k, k.length);
    expect([...store.prefixScan('app', Serdes.String())].map((e) => e.key)).toEqual(['app', 'apple']);
    expect([...store.prefixScan('z', Serdes.String())]).toEqual([]);
  });
});

describe('window store fetches', () => {
  it('fetches one window by key and start', () => {
    const { store } = windowStore(Serdes.String());
    store.put('a', 1, 10);
    expect(store.fetch('a', 10)).toBe(1);
    expect(store.fetch('a', 20)).toBeUndefined();
    expect(store.fetch('b', 10)).toBeUndefined();
    store.put('a', null, 10);
    expect(store.fetch('a', 10)).toBeUndefined();
  });

  it('fetches the windows of a key starting within [timeFrom, timeTo], both inclusive, across segments', () => {
    const { store } = windowStore(Serdes.String(), { retentionMs: 1_000_000, segmentIntervalMs: 100, windowSizeMs: 10 });
    for (const t of [0, 50, 100, 150, 250]) store.put('a', t, t);
    store.put('b', 999, 100);
    expect([...store.fetchRange('a', 50, 150)]).toEqual([
      { windowStart: 50, value: 50 },
      { windowStart: 100, value: 100 },
      { windowStart: 150, value: 150 },
    ]);
    expect([...store.backwardFetch('a', 50, 250)].map((e) => e.windowStart)).toEqual([250, 150, 100, 50]);
    expect([...store.fetchRange('a', 51, 99)]).toEqual([]);
    expect([...store.fetchRange('a', 200, 100)]).toEqual([]);
  });

  it('does not leak the windows of a longer key whose bytes start with the fetched key', () => {
    // B's bytes continue A's with 0x80 00.. 07, which sorts between A's encoded window starts.
    const a = bytes(0x61);
    const b = bytes(0x61, 0x80, 0, 0, 0, 0, 0, 0, 0x07);
    const { store } = windowStore(Serdes.Bytes());
    store.put(a, 1, 5);
    store.put(b, 2, 5);
    store.put(b, 3, 8);
    expect([...store.fetchRange(a, 0, 100)]).toEqual([{ windowStart: 5, value: 1 }]);
    expect([...store.backwardFetch(a, 0, 100)]).toEqual([{ windowStart: 5, value: 1 }]);
    expect([...store.fetchRange(b, 0, 100)].map((e) => e.value)).toEqual([2, 3]);
    const { store: strings } = windowStore(Serdes.String());
    strings.put('a', 1, 1);
    strings.put('ab', 2, 1);
    expect([...strings.fetchRange('a', 0, 10)]).toEqual([{ windowStart: 1, value: 1 }]);
  });

  it('fetches every key’s windows starting within [timeFrom, timeTo], as Windowed keys of the store’s window size', () => {
    const { store } = windowStore(Serdes.String());
    store.put('b', 1, 0);
    store.put('a', 2, 10);
    store.put('a', 3, 20);
    store.put('c', 4, 30);
    // Within a segment, entries come by key, then window start.
    expect([...store.fetchAll(10, 30)]).toEqual([
      { key: windowed('a', 10, 20), value: 2 },
      { key: windowed('a', 20, 30), value: 3 },
      { key: windowed('c', 30, 40), value: 4 },
    ]);
    expect([...store.all()].map((e) => `${e.key.key}@${e.key.window.start}`)).toEqual(['a@10', 'a@20', 'b@0', 'c@30']);
  });
});

describe('window store retention', () => {
  const options = { retentionMs: 100, segmentIntervalMs: 50, windowSizeMs: 10 };

  it('hides windows that started before the newest start minus retention, and drops whole expired segments', () => {
    const { store, commit, storedCount } = windowStore(Serdes.String(), options);
    store.put('a', 0, 0); // segment 0
    store.put('a', 60, 60); // segment 1
    store.put('a', 120, 120); // segment 2; retained from 21: window 0 hidden, segment 0 kept
    commit();
    expect(storedCount()).toBe(3);
    expect(store.fetch('a', 0)).toBeUndefined();
    expect([...store.fetchRange('a', 0, 200)].map((e) => e.windowStart)).toEqual([60, 120]);
    store.put('a', 160, 160); // segment 3; retained from 61: segment 0 dropped, window 60 hidden
    commit();
    expect(storedCount()).toBe(3);
    expect(store.fetch('a', 60)).toBeUndefined();
    expect([...store.fetchRange('a', 0, 200)].map((e) => e.windowStart)).toEqual([120, 160]);
  });

  it('drops a put older than retention', () => {
    const { store, commit, storedCount } = windowStore(Serdes.String(), options);
    store.put('a', 1, 200);
    store.put('a', 2, 100); // retained from 101
    store.put('a', 3, 101);
    commit();
    expect(storedCount()).toBe(2);
    expect(store.fetch('a', 100)).toBeUndefined();
    expect(store.fetch('a', 101)).toBe(3);
  });

  it('lets fetchAll see the window starting exactly retention before the newest, as Kafka Streams’ time-ordered store', () => {
    const { store } = windowStore(Serdes.String(), options);
    store.put('a', 1, 99);
    store.put('a', 2, 100);
    store.put('a', 3, 200);
    expect(store.fetch('a', 100)).toBeUndefined();
    expect([...store.fetchAll(0, 200)].map((e) => e.key.window.start)).toEqual([100, 200]);
  });
});

describe('session store', () => {
  it('finds the sessions of a key ending at or after a time and starting at or before another', () => {
    const { store } = sessionStore(Serdes.String());
    store.put(windowed('a', 0, 10), 1);
    store.put(windowed('a', 20, 30), 2);
    store.put(windowed('a', 40, 40), 3);
    store.put(windowed('b', 0, 100), 9);
    const found = (earliestEnd: number, latestStart: number) =>
      [...store.findSessions('a', earliestEnd, latestStart)].map((e) => `${e.key.window.start}-${e.key.window.end}=${e.value}`);
    expect(found(10, 40)).toEqual(['0-10=1', '20-30=2', '40-40=3']);
    expect(found(11, 39)).toEqual(['20-30=2']);
    expect(found(30, 20)).toEqual(['20-30=2']);
    expect(found(31, 100)).toEqual(['40-40=3']);
    expect([...store.backwardFindSessions('a', 0, 100)].map((e) => e.value)).toEqual([3, 2, 1]);
    expect([...store.fetch('a')].map((e) => e.value)).toEqual([1, 2, 3]);
  });

  it('fetches and removes exactly one session', () => {
    const { store } = sessionStore(Serdes.String());
    store.put(windowed('a', 0, 10), 1);
    expect(store.fetchSession('a', 0, 10)).toBe(1);
    expect(store.fetchSession('a', 0, 11)).toBeUndefined();
    store.remove(windowed('a', 0, 10));
    expect(store.fetchSession('a', 0, 10)).toBeUndefined();
    expect([...store.fetch('a')]).toEqual([]);
  });

  it('does not leak the sessions of a longer key whose bytes start with the fetched key', () => {
    const a = bytes(0x61);
    const b = bytes(0x61, 0x80, 0, 0, 0, 0, 0, 0, 0x05);
    const { store } = sessionStore(Serdes.Bytes());
    store.put(windowed(a, 0, 10), 1);
    store.put(windowed(b, 0, 7), 2);
    expect([...store.findSessions(a, 0, 100)].map((e) => e.value)).toEqual([1]);
    expect([...store.fetch(b)].map((e) => e.value)).toEqual([2]);
  });

  it('hides sessions that ended well before the newest end minus retention', () => {
    const { store } = sessionStore(Serdes.String(), { retentionMs: 100, segmentIntervalMs: 50 });
    store.put(windowed('a', 0, 10), 1);
    store.put(windowed('a', 300, 310), 2);
    expect(store.fetchSession('a', 0, 10)).toBeUndefined();
    expect([...store.fetch('a')].map((e) => e.value)).toEqual([2]);
  });
});
