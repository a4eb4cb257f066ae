import { describe, expect, it } from 'vitest';
import { changeSerde, SerdeError, Serdes, timestampedSerde, windowedSerde } from '../src/index.js';

/**
 * Built-in serdes, byte for byte as Kafka's (IntegerSerializer, LongSerializer, DoubleSerializer,
 * StringSerializer, ...), and the internal serdes Weir writes to repartition topics and stores.
 */

const bytes = (...values: number[]) => new Uint8Array(values);

function serdeError(action: () => unknown): SerdeError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(SerdeError);
    return error as SerdeError;
  }
  throw new Error('expected a SerdeError');
}

describe('Int32', () => {
  const serde = Serdes.Int32();

  it('writes 4 bytes big-endian, two’s complement', () => {
    expect(serde.serialize('t', 0)).toEqual(bytes(0, 0, 0, 0));
    expect(serde.serialize('t', 258)).toEqual(bytes(0, 0, 1, 2));
    expect(serde.serialize('t', -1)).toEqual(bytes(0xff, 0xff, 0xff, 0xff));
    expect(serde.serialize('t', 2 ** 31 - 1)).toEqual(bytes(0x7f, 0xff, 0xff, 0xff));
    expect(serde.serialize('t', -(2 ** 31))).toEqual(bytes(0x80, 0, 0, 0));
  });

  it('reads back the edge values', () => {
    for (const v of [0, 1, -1, 2 ** 31 - 1, -(2 ** 31)]) expect(serde.deserialize('t', serde.serialize('t', v))).toBe(v);
  });

  it('refuses a number that is not a 32-bit integer instead of wrapping it', () => {
    expect(serdeError(() => serde.serialize('t', 2 ** 31)).message).toBe('Int32 serde cannot serialize 2147483648: not a 32-bit integer');
    expect(serdeError(() => serde.serialize('t', -(2 ** 31) - 1)).message).toBe('Int32 serde cannot serialize -2147483649: not a 32-bit integer');
    expect(serdeError(() => serde.serialize('t', 1.5)).message).toBe('Int32 serde cannot serialize 1.5: not a 32-bit integer');
  });

  it('refuses bytes of the wrong width, naming the topic', () => {
    const error = serdeError(() => serde.deserialize('topic-x', bytes(1, 2, 3)));
    expect(error.message).toBe('Int32 serde expects 4 bytes but got 3');
    expect(error.context.topic).toBe('topic-x');
  });
});

describe('Int64', () => {
  const serde = Serdes.Int64();
  const min = -(2n ** 63n);
  const max = 2n ** 63n - 1n;

  it('writes 8 bytes big-endian, two’s complement, for bigint edge values', () => {
    expect(serde.serialize('t', min)).toEqual(bytes(0x80, 0, 0, 0, 0, 0, 0, 0));
    expect(serde.serialize('t', max)).toEqual(bytes(0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    expect(serde.serialize('t', -1n)).toEqual(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    expect(serde.serialize('t', 2n ** 32n)).toEqual(bytes(0, 0, 0, 1, 0, 0, 0, 0));
  });

  it('reads back -2^63, 2^63-1 and values beyond 2^53 exactly', () => {
    for (const v of [min, max, 0n, -1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n]) expect(serde.deserialize('t', serde.serialize('t', v))).toBe(v);
  });

  it('refuses a bigint outside the 64-bit range instead of wrapping it', () => {
    expect(serdeError(() => serde.serialize('t', 2n ** 63n)).message).toBe('Int64 serde cannot serialize 9223372036854775808: not a 64-bit integer');
    expect(serdeError(() => serde.serialize('t', min - 1n)).message).toBe('Int64 serde cannot serialize -9223372036854775809: not a 64-bit integer');
  });

  it('refuses bytes of the wrong width', () => {
    expect(serdeError(() => serde.deserialize('t', bytes(1, 2, 3, 4))).message).toBe('Int64 serde expects 8 bytes but got 4');
  });
});

describe('Double', () => {
  const serde = Serdes.Double();

  it('writes IEEE 754 big-endian', () => {
    expect(serde.serialize('t', 1.5)).toEqual(bytes(0x3f, 0xf8, 0, 0, 0, 0, 0, 0));
    expect(serde.serialize('t', -0)).toEqual(bytes(0x80, 0, 0, 0, 0, 0, 0, 0));
  });

  it('reads back special values', () => {
    for (const v of [0, -0, 1.5, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity]) {
      expect(Object.is(serde.deserialize('t', serde.serialize('t', v)), v)).toBe(true);
    }
    expect(serde.deserialize('t', serde.serialize('t', Number.NaN))).toBeNaN();
  });
});

describe('String', () => {
  const serde = Serdes.String();

  it('writes UTF-8', () => {
    expect(serde.serialize('t', 'héllo')).toEqual(bytes(0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f));
    expect(serde.serialize('t', '')).toEqual(bytes());
    expect(serde.deserialize('t', bytes(0xf0, 0x9f, 0x98, 0x80))).toBe('😀');
    expect(serde.deserialize('t', bytes())).toBe('');
  });

  it('refuses invalid UTF-8 with a SerdeError naming the size and the topic', () => {
    const error = serdeError(() => serde.deserialize('names', bytes(0x61, 0xff, 0xfe)));
    expect(error.message).toBe('String serde found invalid UTF-8 (3 bytes)');
    expect(error.context.topic).toBe('names');
    expect(error.cause).toBeInstanceOf(TypeError);
  });
});

describe('Json', () => {
  const serde = Serdes.Json<unknown>();

  it('writes UTF-8 JSON text and reads it back', () => {
    expect(new TextDecoder().decode(serde.serialize('t', { a: 1, b: ['x'] })!)).toBe('{"a":1,"b":["x"]}');
    expect(serde.deserialize('t', serde.serialize('t', { n: 1.5, s: 'é', t: true, z: null }))).toEqual({ n: 1.5, s: 'é', t: true, z: null });
    expect(serde.deserialize('t', serde.serialize('t', 0))).toBe(0);
  });

  it('refuses a bigint with a SerdeError', () => {
    expect(serdeError(() => serde.serialize('t', { big: 1n })).message).toMatch(/^JSON serde cannot serialize value: .*BigInt/);
  });

  it('refuses malformed JSON, quoting its start', () => {
    const error = serdeError(() => serde.deserialize('t', new TextEncoder().encode('{x:')));
    expect(error.message).toBe('JSON serde cannot parse 3 bytes starting "{x:"');
  });
});

describe('Bytes and Void', () => {
  it('passes bytes through unchanged', () => {
    const value = bytes(0, 0xff, 7);
    expect(Serdes.Bytes().serialize('t', value)).toBe(value);
    expect(Serdes.Bytes().deserialize('t', value)).toBe(value);
  });

  it('Void writes nothing and refuses non-empty bytes', () => {
    expect(Serdes.Void().serialize('t', null)).toBeNull();
    expect(Serdes.Void().deserialize('t', bytes())).toBeNull();
    expect(serdeError(() => Serdes.Void().deserialize('t', bytes(1))).message).toBe('Void serde expects no bytes but got 1');
  });
});

describe('null', () => {
  it('passes null through every serde both ways', () => {
    const serdes = [Serdes.String(), Serdes.Json(), Serdes.Int32(), Serdes.Int64(), Serdes.Double(), Serdes.Bytes(), Serdes.Void()];
    for (const serde of serdes) {
      expect(serde.serialize('t', null)).toBeNull();
      expect(serde.deserialize('t', null)).toBeNull();
    }
  });
});

describe('internal serdes', () => {
  it('windowedSerde writes [keyLength][key][start][end] and reads it back', () => {
    const serde = windowedSerde(Serdes.String());
    const key = { key: 'ab', window: { start: 0, end: 10 } };
    expect(serde.serialize('t', key)).toEqual(
      bytes(0, 0, 0, 2, 0x61, 0x62, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 10),
    );
    expect(serde.deserialize('t', serde.serialize('t', key))).toEqual(key);
    expect(serdeError(() => serde.deserialize('t', bytes(0, 0, 0, 9, 1))).message).toBe('malformed windowed key of 5 bytes');
  });

  it('changeSerde keeps a new and an old value, either of which may be null', () => {
    const serde = changeSerde(Serdes.String());
    for (const change of [
      { newValue: 'n', oldValue: 'o' },
      { newValue: null, oldValue: 'o' },
      { newValue: 'n', oldValue: null },
      { newValue: '', oldValue: null },
    ]) {
      expect(serde.deserialize('t', serde.serialize('t', change))).toEqual(change);
    }
  });

  it('timestampedSerde prefixes the value with its timestamp', () => {
    const serde = timestampedSerde(Serdes.Int32());
    expect(serde.serialize('t', { value: 1, timestamp: 2 })).toEqual(bytes(0x80, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1));
    expect(serde.deserialize('t', serde.serialize('t', { value: -5, timestamp: 1_700_000_000_000 }))).toEqual({
      value: -5,
      timestamp: 1_700_000_000_000,
    });
    expect(serdeError(() => serde.deserialize('t', bytes(1, 2))).message).toBe('timestamped value of 2 bytes is too short');
  });
});
