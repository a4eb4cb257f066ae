import { SerdeError } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { type AvroSchema, avroSerde, IncompatibleSchemaError, InvalidSchemaError } from '../src/index.js';

const MAX_LONG = 2n ** 63n - 1n;
const MIN_LONG = -(2n ** 63n);

function roundTrip<T>(schema: AvroSchema, value: T): T | null {
  const serde = avroSerde<T>(schema);
  return serde.deserialize('t', serde.serialize('t', value));
}

describe('avroSerde', () => {
  it.each([
    ['null', null],
    ['boolean', true],
    ['boolean', false],
    ['int', 0],
    ['int', 2147483647],
    ['int', -2147483648],
    ['float', 1.5],
    ['double', Math.PI],
    ['double', -0.000001],
    ['string', ''],
    ['string', 'héllo, wörld ✓'],
  ] as const)('round-trips %s %j', (schema, value) => {
    // `null` is a tombstone for the serde itself, so test the Avro null inside a record.
    if (schema === 'null') {
      const record: AvroSchema = { type: 'record', name: 'N', fields: [{ name: 'n', type: 'null' }] };
      expect(roundTrip(record, { n: null })).toEqual({ n: null });
      return;
    }
    expect(roundTrip(schema, value)).toEqual(value);
  });

  it.each([0n, 1n, -1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, MAX_LONG, MIN_LONG])('round-trips long %s as bigint', (v) => {
    const out = roundTrip('long', v);
    expect(typeof out).toBe('bigint');
    expect(out).toBe(v);
  });

  it('encodes longs as zigzag varints, byte-exact with other Avro implementations', () => {
    const serde = avroSerde<bigint>('long');
    expect([...serde.serialize('t', 1n)!]).toEqual([0x02]);
    expect([...serde.serialize('t', -1n)!]).toEqual([0x01]);
    expect([...serde.serialize('t', 64n)!]).toEqual([0x80, 0x01]);
    expect([...serde.serialize('t', MAX_LONG)!]).toEqual([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect([...serde.serialize('t', MIN_LONG)!]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it('reads { "type": "long" } and longs nested anywhere as bigint', () => {
    const schema: AvroSchema = {
      type: 'record',
      name: 'Longs',
      fields: [
        { name: 'a', type: { type: 'long' } },
        { name: 'b', type: ['null', 'long'] },
        { name: 'c', type: { type: 'array', items: 'long' } },
        { name: 'd', type: { type: 'map', values: { type: 'long' } } },
        { name: 'e', type: 'long', default: 42 },
      ],
    };
    const value = { a: MAX_LONG, b: MIN_LONG, c: [1n, MAX_LONG], d: { x: -5n }, e: 7n };
    expect(roundTrip(schema, value)).toEqual(value);
  });

  it('round-trips bytes, fixed and enums', () => {
    const schema: AvroSchema = {
      type: 'record',
      name: 'Misc',
      fields: [
        { name: 'raw', type: 'bytes' },
        { name: 'hash', type: { type: 'fixed', name: 'Hash', size: 4 } },
        { name: 'color', type: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN'] } },
      ],
    };
    const value = { raw: Buffer.from([0, 1, 255]), hash: Buffer.from('abcd'), color: 'GREEN' };
    expect(roundTrip(schema, value)).toEqual(value);
  });

  it('round-trips nested records, arrays of records and maps of arrays, and nullable unions both ways round', () => {
    const schema: AvroSchema = {
      type: 'record',
      name: 'Order',
      namespace: 'com.acme',
      fields: [
        { name: 'id', type: 'string' },
        {
          name: 'customer',
          type: {
            type: 'record',
            name: 'Customer',
            fields: [
              { name: 'name', type: 'string' },
              { name: 'address', type: ['null', { type: 'record', name: 'Address', fields: [{ name: 'zip', type: 'string' }] }] },
            ],
          },
        },
        {
          name: 'lines',
          type: {
            type: 'array',
            items: { type: 'record', name: 'Line', fields: [{ name: 'sku', type: 'string' }, { name: 'qty', type: 'int' }] },
          },
        },
        { name: 'tags', type: { type: 'map', values: { type: 'array', items: 'string' } } },
        { name: 'note', type: ['string', 'null'] },
        { name: 'shipTo', type: ['null', 'Address'], default: null },
      ],
    };
    const value = {
      id: 'o-1',
      customer: { name: 'Ada', address: { zip: '12345' } },
      lines: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 2 },
      ],
      tags: { colors: ['red', 'blue'], empty: [] },
      note: null,
      shipTo: null,
    };
    expect(roundTrip(schema, value)).toEqual(value);
    const other = { ...value, customer: { name: 'Bob', address: null }, note: 'fragile', shipTo: { zip: '999' } };
    expect(roundTrip(schema, other)).toEqual(other);
  });

  it('passes null through as a tombstone', () => {
    const serde = avroSerde<string>('string');
    expect(serde.serialize('t', null)).toBeNull();
    expect(serde.deserialize('t', null)).toBeNull();
  });

  it('reads from a Uint8Array view into a larger buffer', () => {
    const serde = avroSerde<string>('string');
    const bytes = serde.serialize('t', 'abc')!;
    const backing = new Uint8Array(bytes.length + 10);
    backing.set(bytes, 5);
    expect(serde.deserialize('t', backing.subarray(5, 5 + bytes.length))).toBe('abc');
  });

  it('keeps a map key "__proto__" as a key instead of replacing the prototype', () => {
    const serde = avroSerde<Record<string, number>>({ type: 'map', values: 'int' });
    const bytes = Buffer.from([0x02, 0x12, ...Buffer.from('__proto__'), 0x02, 0x00]);
    const map = serde.deserialize('t', bytes)!;
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
    expect(Object.keys(map)).toEqual(['__proto__']);
  });

  describe('errors', () => {
    const schema: AvroSchema = {
      type: 'record',
      name: 'Count',
      fields: [
        { name: 'key', type: 'string' },
        { name: 'count', type: 'long' },
        { name: 'samples', type: { type: 'array', items: 'long' } },
      ],
    };
    const serde = avroSerde<unknown>(schema);

    it('names the field and the expected JS type when a value does not fit', () => {
      expect(() => serde.serialize('counts', { key: 'a', count: 1, samples: [] })).toThrow(
        'Avro serde cannot serialize a value for topic "counts": field "count" expects long (bigint), got 1 (number)',
      );
      expect(() => serde.serialize('counts', { key: 'a', count: 1n, samples: [1n, 2] })).toThrow(
        'field "samples[1]" expects long (bigint), got 2 (number)',
      );
      expect(() => serde.serialize('counts', { key: 'a', samples: [] })).toThrow(
        'field "count" expects long (bigint), got undefined (missing)',
      );
      expect(() => serde.serialize('counts', { key: 'a', count: MAX_LONG + 1n, samples: [] })).toThrow(SerdeError);
    });

    it('reports truncated bytes with the topic and byte length', () => {
      const bytes = serde.serialize('counts', { key: 'abc', count: 5n, samples: [1n, 2n] })!;
      expect(() => serde.deserialize('counts', bytes.subarray(0, 3))).toThrow(
        'Avro serde cannot deserialize 3 bytes from topic "counts": truncated: the bytes end before the Avro value does',
      );
      const error = (() => {
        try {
          serde.deserialize('counts', bytes.subarray(0, 3));
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(SerdeError);
      expect((error as SerdeError).context.topic).toBe('counts');
    });

    it('reports trailing bytes', () => {
      const bytes = serde.serialize('counts', { key: 'abc', count: 5n, samples: [] })!;
      expect(() => serde.deserialize('counts', Buffer.concat([bytes, Buffer.from([1, 2])]))).toThrow(
        `Avro serde cannot deserialize ${bytes.length + 2} bytes from topic "counts": 2 trailing bytes after the Avro value (wrong schema?)`,
      );
    });

    it('gives up quickly on a poison block count instead of reading billions of items', () => {
      const ints = avroSerde<number[]>({ type: 'array', items: 'int' });
      // Block count 2^31 - 1, then two items and the end of the bytes.
      const poison = Buffer.from([0xfe, 0xff, 0xff, 0xff, 0x0f, 0x02, 0x04]);
      const started = performance.now();
      expect(() => ints.deserialize('t', poison)).toThrow('7 bytes from topic "t": truncated');
      expect(performance.now() - started).toBeLessThan(1000);
    });

    it('refuses a schema avsc cannot parse', () => {
      expect(() => avroSerde({ type: 'record', name: 'X', fields: [{ name: 'a', type: 'Nope' }] })).toThrow(
        InvalidSchemaError,
      );
      expect(() => avroSerde({ type: 'record', name: 'X', fields: [{ name: 'a', type: 'Nope' }] })).toThrow(
        'Invalid Avro schema: undefined type name: Nope',
      );
    });
  });

  describe('schema resolution', () => {
    const v1: AvroSchema = {
      type: 'record',
      name: 'User',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'visits', type: 'int' },
        { name: 'legacy', type: 'string' },
      ],
    };
    const v2: AvroSchema = {
      type: 'record',
      name: 'User',
      fields: [
        { name: 'name', type: 'string' },
        // int -> long promotion
        { name: 'visits', type: 'long' },
        { name: 'email', type: ['null', 'string'], default: null },
        { name: 'score', type: 'double', default: 1.5 },
        { name: 'plan', type: 'long', default: 3 },
      ],
    };

    it('reads bytes written with an older schema into the new one, filling defaults', () => {
      const old = avroSerde<unknown>(v1).serialize('users', { name: 'ada', visits: 3, legacy: 'x' });
      const reader = avroSerde<unknown>(v2, { writerSchema: v1 });
      expect(reader.deserialize('users', old)).toEqual({ name: 'ada', visits: 3n, email: null, score: 1.5, plan: 3n });
    });

    it('refuses a writer schema the reader cannot read, naming the field', () => {
      const v3: AvroSchema = {
        type: 'record',
        name: 'User',
        fields: [
          { name: 'name', type: 'string' },
          { name: 'visits', type: 'int' },
          { name: 'age', type: 'int' },
        ],
      };
      expect(() => avroSerde(v3, { writerSchema: v2 })).toThrow(IncompatibleSchemaError);
      expect(() => avroSerde(v3, { writerSchema: v2 })).toThrow(
        'Incompatible schema change: field "visits" changed type from long to int; field "age" was added without a default (old data has no value for it)',
      );
    });
  });
});
