import { describe, expect, it } from 'vitest';
import { StoreKeys } from '../src/index.js';

/**
 * Store key layouts: bytewise order must equal the order queries need (Kafka Streams'
 * WindowKeySchema / SessionKeySchema, with sign-corrected 64-bit times so negatives sort first).
 */

const bytes = (...values: number[]) => new Uint8Array(values);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('sortable int64', () => {
  it('writes big-endian with the sign bit flipped', () => {
    expect(hex(StoreKeys.sortableInt64(0))).toBe('8000000000000000');
    expect(hex(StoreKeys.sortableInt64(1))).toBe('8000000000000001');
    expect(hex(StoreKeys.sortableInt64(-1))).toBe('7fffffffffffffff');
    expect(hex(StoreKeys.sortableInt64(2 ** 32))).toBe('8000000100000000');
    expect(hex(StoreKeys.sortableInt64(2 ** 53 - 1))).toBe('801fffffffffffff');
    expect(hex(StoreKeys.sortableInt64(-(2 ** 53 - 1)))).toBe('7fe0000000000001');
  });

  it('reads back every safe integer it writes', () => {
    for (const v of [0, 1, -1, 255, -256, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, -(2 ** 32), 1_700_000_000_000, 2 ** 53 - 1, -(2 ** 53 - 1)]) {
      expect(StoreKeys.readSortableInt64(StoreKeys.sortableInt64(v), 0)).toBe(v);
    }
  });

  it('orders bytes as the numbers, negatives and large values included', () => {
    const values = [-(2 ** 53 - 1), -(2 ** 32) - 1, -(2 ** 32), -256, -1, 0, 1, 255, 2 ** 32 - 1, 2 ** 32, 1_700_000_000_000, 2 ** 53 - 1];
    const shuffled = [...values].reverse().map((v) => StoreKeys.sortableInt64(v));
    const sorted = shuffled.sort(StoreKeys.compareBytes).map((b) => StoreKeys.readSortableInt64(b, 0));
    expect(sorted).toEqual(values);
  });

  it('writes at an offset into a larger buffer', () => {
    const target = new Uint8Array(10);
    StoreKeys.writeSortableInt64(target, 2, 258);
    expect(hex(target)).toBe('00008000000000000102');
    expect(StoreKeys.readSortableInt64(target, 2)).toBe(258);
  });
});

describe('window store keys', () => {
  it('lays out [segment][key][windowStart], with an optional sequence number', () => {
    expect(hex(StoreKeys.windowStoreKey(3, bytes(0x61), 10))).toBe('8000000000000003' + '61' + '800000000000000a');
    expect(hex(StoreKeys.windowStoreKey(0, bytes(0x61), 10, 7))).toBe('8000000000000000' + '61' + '800000000000000a' + '00000007');
    expect(StoreKeys.parseWindowStoreKey(StoreKeys.windowStoreKey(3, bytes(0x61, 0x62), -5))).toEqual({
      segment: 3,
      key: bytes(0x61, 0x62),
      windowStart: -5,
    });
    expect(StoreKeys.parseWindowStoreKey(StoreKeys.windowStoreKey(1, bytes(9), 4, 2), true)).toEqual({ segment: 1, key: bytes(9), windowStart: 4 });
  });

  it('orders by segment, then key bytes, then window start', () => {
    const keys = [
      StoreKeys.windowStoreKey(1, bytes(0x61), 5),
      StoreKeys.windowStoreKey(0, bytes(0x62), 0),
      StoreKeys.windowStoreKey(0, bytes(0x61), 20),
      StoreKeys.windowStoreKey(0, bytes(0x61), -3),
      StoreKeys.windowStoreKey(0, bytes(0x61), 2 ** 40),
    ];
    const sorted = [...keys].sort(StoreKeys.compareBytes).map((k) => {
      const p = StoreKeys.parseWindowStoreKey(k);
      return `${p.segment}/${hex(p.key)}/${p.windowStart}`;
    });
    expect(sorted).toEqual(['0/61/-3', '0/61/20', `0/61/${2 ** 40}`, '0/62/0', '1/61/5']);
  });
});

describe('session store keys', () => {
  it('lays out [segment][key][end][start], end before start', () => {
    expect(hex(StoreKeys.sessionStoreKey(2, bytes(0x6b), 5, 9))).toBe('8000000000000002' + '6b' + '8000000000000009' + '8000000000000005');
    expect(StoreKeys.parseSessionStoreKey(StoreKeys.sessionStoreKey(2, bytes(0x6b, 0x6c), 5, 9))).toEqual({
      segment: 2,
      key: bytes(0x6b, 0x6c),
      start: 5,
      end: 9,
    });
  });

  it('orders by segment, key, session end, then session start', () => {
    const keys = [
      StoreKeys.sessionStoreKey(0, bytes(0x61), 1, 10),
      StoreKeys.sessionStoreKey(0, bytes(0x61), 0, 9),
      StoreKeys.sessionStoreKey(0, bytes(0x61), 5, 9),
      StoreKeys.sessionStoreKey(0, bytes(0x60), 50, 60),
    ];
    const sorted = [...keys].sort(StoreKeys.compareBytes).map((k) => {
      const p = StoreKeys.parseSessionStoreKey(k);
      return `${hex(p.key)}:${p.start}-${p.end}`;
    });
    expect(sorted).toEqual(['60:50-60', '61:0-9', '61:5-9', '61:1-10']);
  });
});

describe('helpers', () => {
  it('segments are epoch-aligned, negative times in negative segments', () => {
    expect(StoreKeys.segmentOf(0, 60_000)).toBe(0);
    expect(StoreKeys.segmentOf(59_999, 60_000)).toBe(0);
    expect(StoreKeys.segmentOf(60_000, 60_000)).toBe(1);
    expect(StoreKeys.segmentOf(-1, 60_000)).toBe(-1);
  });

  it('prefixEnd is the smallest key above every key with the prefix', () => {
    expect(StoreKeys.prefixEnd(bytes(1, 2))).toEqual(bytes(1, 3));
    expect(StoreKeys.prefixEnd(bytes(1, 0xff))).toEqual(bytes(2));
    expect(StoreKeys.prefixEnd(bytes(0xff, 0xff))).toBeUndefined();
  });

  it('compares bytes unsigned and lexicographically, a prefix first', () => {
    expect(StoreKeys.compareBytes(bytes(0x7f), bytes(0x80))).toBeLessThan(0);
    expect(StoreKeys.compareBytes(bytes(1), bytes(1, 0))).toBeLessThan(0);
    expect(StoreKeys.compareBytes(bytes(2), bytes(1, 0xff))).toBeGreaterThan(0);
    expect(StoreKeys.compareBytes(bytes(1, 2), bytes(1, 2))).toBe(0);
    expect(StoreKeys.bytesEqual(bytes(1, 2), bytes(1, 2))).toBe(true);
    expect(StoreKeys.bytesEqual(bytes(1, 2), bytes(1))).toBe(false);
    expect(StoreKeys.concatBytes(bytes(1), bytes(), bytes(2, 3))).toEqual(bytes(1, 2, 3));
  });
});
