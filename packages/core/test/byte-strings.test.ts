import { describe, expect, it } from 'vitest';
import { fromByteString, toByteString } from '../src/state/internal/byte-strings.js';

describe('byte strings (store keys as Map keys)', () => {
  const every = Uint8Array.from({ length: 256 }, (_, i) => i);

  it('round-trips every byte value, for short keys and for long ones', () => {
    for (const bytes of [new Uint8Array(0), every.subarray(250), every, Uint8Array.from({ length: 5_000 }, (_, i) => (i * 31) & 0xff)]) {
      const text = toByteString(bytes);
      expect(text.length).toBe(bytes.length);
      expect(fromByteString(text)).toEqual(new Uint8Array(bytes));
      expect(text).toBe(Buffer.from(bytes).toString('latin1'));
    }
  });

  it('reads only the view, not the whole buffer behind it', () => {
    const view = every.subarray(10, 20);
    expect(fromByteString(toByteString(view))).toEqual(Uint8Array.from({ length: 10 }, (_, i) => 10 + i));
  });

  it('compares in bytewise order', () => {
    const keys = [Uint8Array.of(0x80), Uint8Array.of(0x01, 0xff), Uint8Array.of(0xff), Uint8Array.of(0x01)];
    const sorted = keys.map(toByteString).sort().map(fromByteString);
    expect(sorted).toEqual([Uint8Array.of(0x01), Uint8Array.of(0x01, 0xff), Uint8Array.of(0x80), Uint8Array.of(0xff)]);
  });
});
