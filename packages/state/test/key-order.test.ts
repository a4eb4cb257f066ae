import { StoreKeys } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { closeAfterTest, testFactory, utf8 } from './support/state-dirs.js';

const TIMESTAMPS = [
  -(2 ** 53) + 1,
  -(2 ** 40),
  -(2 ** 32) - 1,
  -(2 ** 32),
  -(2 ** 31),
  -1000,
  -1,
  0,
  1,
  1000,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 40,
  2 ** 53 - 1,
];

const KEYS = [new Uint8Array(0), Uint8Array.of(0), Uint8Array.of(0, 0), utf8('a'), utf8('ab'), utf8('b'), Uint8Array.of(0xff), Uint8Array.of(0xff, 0xff)];

/** Writes `keys` in a scrambled order and returns them in LMDB's iteration order. */
function lmdbOrder(keys: Uint8Array[]): Uint8Array[] {
  const { factory } = testFactory();
  const backend = factory.open('0_0', ['s'], 'fp');
  closeAfterTest(() => backend.close());
  const scrambled = [...keys].sort(() => Math.random() - 0.5);
  backend.commit({ writes: scrambled.map((key) => ({ store: 's', key, value: key })), rangeDeletes: [], checkpoint: {} });
  const out = [...backend.store('s').range()];
  for (const [key, value] of out) expect([...key]).toEqual([...value]);
  return out.map(([key]) => key);
}

function hex(keys: Uint8Array[]): string[] {
  return keys.map((k) => Buffer.from(k).toString('hex'));
}

describe('key order in LMDB', () => {
  it('is bytewise: unsigned bytes, a prefix before its extensions, the empty key first', () => {
    const keys: Uint8Array[] = [new Uint8Array(0)];
    for (let i = 0; i < 500; i++) {
      const key = new Uint8Array(Math.floor(Math.random() * 12));
      // Mostly the extreme bytes, so that prefixes, 0x00 and 0xff (sign trouble) are common.
      for (let j = 0; j < key.length; j++) key[j] = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff][Math.floor(Math.random() * 6)]!;
      keys.push(key);
    }
    const unique = [...new Map(keys.map((k) => [Buffer.from(k).toString('hex'), k])).values()];
    expect(hex(lmdbOrder(unique))).toEqual(hex([...unique].sort(StoreKeys.compareBytes)));
  });

  it('orders sign-corrected timestamps numerically, from -2^53+1 to 2^53-1', () => {
    const keys = TIMESTAMPS.map((t) => StoreKeys.sortableInt64(t));
    const read = lmdbOrder(keys).map((k) => StoreKeys.readSortableInt64(k, 0));
    expect(read).toEqual([...TIMESTAMPS].sort((x, y) => x - y));
  });

  it('orders window keys by segment, then key bytes, then window start (numerically within a key)', () => {
    const keys: Uint8Array[] = [];
    for (const segment of [-3, -1, 0, 1, 2 ** 40]) {
      for (const key of KEYS) for (const start of TIMESTAMPS) keys.push(StoreKeys.windowStoreKey(segment, key, start));
    }
    const order = lmdbOrder(keys);
    expect(hex(order)).toEqual(hex([...keys].sort(StoreKeys.compareBytes)));
    const parsed = order.map((k) => StoreKeys.parseWindowStoreKey(k));
    // Segments ascend across the whole store: retention can drop a prefix of it.
    const segments = parsed.map((p) => p.segment);
    expect(segments).toEqual([...segments].sort((x, y) => x - y));
    // Within one segment and one key, window starts ascend numerically, negatives first.
    for (const segment of [-3, 0, 2 ** 40]) {
      for (const key of [utf8('a'), Uint8Array.of(0xff)]) {
        const starts = parsed
          .filter((p) => p.segment === segment && Buffer.from(p.key).equals(Buffer.from(key)))
          .map((p) => p.windowStart);
        expect(starts).toEqual([...TIMESTAMPS].sort((x, y) => x - y));
      }
    }
  });

  it('orders window keys with sequence numbers by window start, then sequence', () => {
    const keys: Uint8Array[] = [];
    for (const start of [-1, 0, 1]) for (const seq of [0, 1, 255, 256, 2 ** 32 - 1]) keys.push(StoreKeys.windowStoreKey(0, utf8('k'), start, seq));
    const order = lmdbOrder(keys);
    expect(hex(order)).toEqual(hex(keys));
    expect(order.map((k) => StoreKeys.parseWindowStoreKey(k, true).windowStart)).toEqual([-1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  });

  it('orders session keys by segment, key, end, then start', () => {
    const keys: Uint8Array[] = [];
    const ends = [-(2 ** 53) + 1, -1, 0, 1, 2 ** 53 - 1];
    for (const segment of [-1, 0, 7]) {
      for (const key of KEYS) {
        for (const end of ends) for (const start of ends) if (start <= end) keys.push(StoreKeys.sessionStoreKey(segment, key, start, end));
      }
    }
    const order = lmdbOrder(keys);
    expect(hex(order)).toEqual(hex([...keys].sort(StoreKeys.compareBytes)));
    const same = order.map((k) => StoreKeys.parseSessionStoreKey(k)).filter((p) => p.segment === 0 && Buffer.from(p.key).toString() === 'ab');
    const expected = [...same].sort((x, y) => x.end - y.end || x.start - y.start);
    expect(same.map((p) => [p.end, p.start])).toEqual(expected.map((p) => [p.end, p.start]));
    expect(same.length).toBe(15);
  });
});
