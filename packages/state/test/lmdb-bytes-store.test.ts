import { IllegalStateError, StateStoreError } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { MAX_KEY_BYTES } from '../src/index.js';
import { b, closeAfterTest, rows, testFactory, writes } from './support/state-dirs.js';

function storeWith(keys: number[]) {
  const { factory } = testFactory();
  const backend = factory.open('0_0', ['s'], 'fp');
  closeAfterTest(() => backend.close());
  backend.commit(writes('s', keys.map((k) => [b(k), b(k, k)])));
  return { backend, store: backend.store('s') };
}

const keysOf = (range: Iterable<readonly [Uint8Array, Uint8Array]>) => [...range].map(([key]) => key[0]);

describe('LmdbBytesStore', () => {
  it('gets a value by key, and undefined for a missing key', () => {
    const { store } = storeWith([1, 2]);
    expect([...store.get(b(2))!]).toEqual([2, 2]);
    expect(store.get(b(3))).toBeUndefined();
    expect(store.name).toBe('s');
  });

  it('ranges over [from, to): from inclusive, to exclusive', () => {
    const { store } = storeWith([1, 2, 3, 4, 5]);
    expect(keysOf(store.range({ from: b(2), to: b(4) }))).toEqual([2, 3]);
    expect(keysOf(store.range({ from: b(2) }))).toEqual([2, 3, 4, 5]);
    expect(keysOf(store.range({ to: b(4) }))).toEqual([1, 2, 3]);
    expect(keysOf(store.range())).toEqual([1, 2, 3, 4, 5]);
    // Bounds that are not keys.
    expect(keysOf(store.range({ from: b(1, 0), to: b(3, 0) }))).toEqual([2, 3]);
    expect(keysOf(store.range({ from: b(6) }))).toEqual([]);
  });

  it('ranges in reverse over the same [from, to)', () => {
    const { store } = storeWith([1, 2, 3, 4, 5]);
    expect(keysOf(store.range({ from: b(2), to: b(4), reverse: true }))).toEqual([3, 2]);
    expect(keysOf(store.range({ from: b(2), reverse: true }))).toEqual([5, 4, 3, 2]);
    expect(keysOf(store.range({ to: b(4), reverse: true }))).toEqual([3, 2, 1]);
    expect(keysOf(store.range({ reverse: true }))).toEqual([5, 4, 3, 2, 1]);
    expect(keysOf(store.range({ from: b(1, 0), to: b(3, 0), reverse: true }))).toEqual([3, 2]);
  });

  it('returns nothing for an empty or inverted range', () => {
    const { store } = storeWith([1, 2, 3]);
    expect(keysOf(store.range({ from: b(2), to: b(2) }))).toEqual([]);
    expect(keysOf(store.range({ from: b(3), to: b(1) }))).toEqual([]);
    expect(keysOf(store.range({ from: b(3), to: b(1), reverse: true }))).toEqual([]);
  });

  it('stores the empty key (LMDB itself rejects it) and an empty value', () => {
    const { backend, store } = storeWith([]);
    backend.commit(writes('s', [[new Uint8Array(0), b(9)], [b(0), new Uint8Array(0)], [b(1), b(1)]]));
    expect([...store.get(new Uint8Array(0))!]).toEqual([9]);
    expect([...store.get(b(0))!]).toEqual([]);
    expect(rows(store.range())).toEqual([[[], [9]], [[0], []], [[1], [1]]]);
    expect(rows(store.range({ reverse: true }))).toEqual([[[1], [1]], [[0], []], [[], [9]]]);
    expect(rows(store.range({ to: b(0) }))).toEqual([[[], [9]]]);
    expect(rows(store.range({ from: new Uint8Array(0), to: new Uint8Array(0) }))).toEqual([]);
  });

  it('hands out entries that stay valid after iteration moves on and after later commits', () => {
    const { backend, store } = storeWith([]);
    const sizes = [1, 16, 4000, 5000, 70_000, 300_000];
    backend.commit(writes('s', sizes.map((size, i) => [b(i), new Uint8Array(size).fill(i + 1)])));
    const collected = [...store.range()];
    const got = sizes.map((_, i) => store.get(b(i))!);
    backend.commit(writes('s', sizes.map((size, i) => [b(i), new Uint8Array(size).fill(0xee)])));
    for (let i = 0; i < 50; i++) for (const [key] of collected) store.get(key);
    for (const [i, [key, value]] of collected.entries()) {
      expect([...key]).toEqual([i]);
      expect(value.byteLength).toBe(sizes[i]);
      expect(value.every((x) => x === i + 1)).toBe(true);
      expect(got[i]!.every((x) => x === i + 1)).toBe(true);
    }
  });

  it('iterates lazily and keeps iterating one snapshot while the owner commits', () => {
    const { backend, store } = storeWith([1, 2, 3, 4]);
    const it = store.range()[Symbol.iterator]();
    expect(it.next().value?.[0][0]).toBe(1);
    backend.commit({ writes: [{ store: 's', key: b(5), value: b(5) }], rangeDeletes: [{ store: 's', from: b(2), to: b(4) }], checkpoint: {} });
    const rest: number[] = [];
    for (let step = it.next(); !step.done; step = it.next()) rest.push(step.value[0][0]!);
    expect(rest).toEqual([2, 3, 4]);
    expect(keysOf(store.range())).toEqual([1, 4, 5]);
  });

  it('can be iterated again and closes its cursor on break', () => {
    const { store } = storeWith([1, 2, 3]);
    const range = store.range({ from: b(1) });
    for (const [key] of range) if (key[0] === 2) break;
    expect(keysOf(range)).toEqual([1, 2, 3]);
    expect(keysOf(range)).toEqual([1, 2, 3]);
  });

  it('counts entries', () => {
    const { backend, store } = storeWith([1, 2, 3]);
    expect(store.approximateNumEntries()).toBe(3);
    backend.commit(writes('s', [[b(1), null]]));
    expect(store.approximateNumEntries()).toBe(2);
  });

  it(`accepts keys of up to ${MAX_KEY_BYTES} bytes and names the store of a longer one`, () => {
    const { backend, store } = storeWith([]);
    const longest = new Uint8Array(MAX_KEY_BYTES).fill(7);
    backend.commit(writes('s', [[longest, b(1)]]));
    expect([...store.get(longest)!]).toEqual([1]);
    const tooLong = new Uint8Array(MAX_KEY_BYTES + 1);
    const commitTooLong = () => backend.commit(writes('s', [[tooLong, b(1)]]));
    expect(commitTooLong).toThrow(StateStoreError);
    expect(commitTooLong).toThrow('key of 1978 bytes in store s of task 0_0 exceeds the 1977-byte key limit of LMDB');
    expect(store.get(tooLong)).toBeUndefined();
    expect(() => store.range({ from: tooLong })).toThrow(/range bound 'from' of store s is 1978 bytes/);
  });

  it('throws once the backend is closed', () => {
    const { backend, store } = storeWith([1]);
    backend.close();
    expect(() => store.get(b(1))).toThrow(IllegalStateError);
    expect(() => store.range()).toThrow("LmdbTaskStateBackend.store('s').range() called after close() (task 0_0)");
  });
});
