import { describe, expect, it } from 'vitest';
import { type AvroSchema, avroSerde, IncompatibleSchemaError } from '../src/index.js';

function serdeOf<T>(type: AvroSchema) {
  return avroSerde<{ v: T }>({ type: 'record', name: 'R', fields: [{ name: 'v', type }] });
}

function roundTrip<T>(type: AvroSchema, v: T): T {
  const serde = serdeOf<T>(type);
  return serde.deserialize('t', serde.serialize('t', { v }))!.v;
}

const millis: AvroSchema = { type: 'long', logicalType: 'timestamp-millis' };
const micros: AvroSchema = { type: 'long', logicalType: 'timestamp-micros' };
const date: AvroSchema = { type: 'int', logicalType: 'date' };
const uuid: AvroSchema = { type: 'string', logicalType: 'uuid' };

describe('timestamp-millis', () => {
  it.each([
    new Date('2026-11-26T12:34:56.789Z'),
    new Date(0),
    new Date('1900-01-01T00:00:00.001Z'),
    new Date(8.64e15),
  ])('round-trips %s as a Date', (d) => {
    const out = roundTrip(millis, d);
    expect(out).toBeInstanceOf(Date);
    expect(out.getTime()).toBe(d.getTime());
  });

  it('writes the milliseconds as an Avro long', () => {
    const long = avroSerde<bigint>('long');
    const bytes = avroSerde<Date>(millis).serialize('t', new Date(1_700_000_000_123))!;
    expect(long.deserialize('t', bytes)).toBe(1_700_000_000_123n);
  });

  it('refuses a number or an invalid Date', () => {
    expect(() => serdeOf(millis).serialize('t', { v: 1_700_000_000_000 })).toThrow(
      'field "v" expects timestamp-millis (Date), got 1700000000000 (number)',
    );
    expect(() => serdeOf(millis).serialize('t', { v: new Date(Number.NaN) })).toThrow('got Date Invalid Date');
  });

  it('refuses to read a long beyond the range of a Date', () => {
    const bytes = avroSerde<bigint>('long').serialize('t', 2n ** 62n);
    expect(() => avroSerde<Date>(millis).deserialize('t', bytes)).toThrow(
      `${2 ** 62} ms since the epoch is outside the range of a Date`,
    );
  });
});

describe('timestamp-micros', () => {
  it.each([1_764_160_496_789_123n, 0n, -1n, 2n ** 63n - 1n, -(2n ** 63n)])('round-trips %s as a bigint', (us) => {
    expect(roundTrip(micros, us)).toBe(us);
  });

  it('keeps microseconds beyond 2^53 exact', () => {
    const us = 2n ** 53n + 1n;
    expect(roundTrip(micros, us)).toBe(us);
  });

  it('refuses a Date, which cannot carry microseconds', () => {
    expect(() => serdeOf(micros).serialize('t', { v: new Date() })).toThrow(
      'field "v" expects timestamp-micros (bigint microseconds)',
    );
  });
});

describe('date', () => {
  it.each(['2026-11-26', '1970-01-01', '1969-12-31', '0001-01-01', '9999-12-31'])('round-trips %s', (day) => {
    const d = new Date(`${day}T00:00:00Z`);
    expect(roundTrip(date, d).toISOString()).toBe(d.toISOString());
  });

  it('writes days since the epoch as an int', () => {
    const bytes = avroSerde<Date>(date).serialize('t', new Date('1970-01-11T00:00:00Z'))!;
    expect(avroSerde<number>('int').deserialize('t', bytes)).toBe(10);
  });

  it('refuses a Date with a time of day rather than drop it', () => {
    expect(() => serdeOf(date).serialize('t', { v: new Date('2026-11-26T05:00:00Z') })).toThrow(
      'field "v" expects date (Date at UTC midnight), got Date 2026-11-26T05:00:00.000Z (it has a time of day, which a date would drop)',
    );
  });
});

describe('decimal', () => {
  const dec = (precision: number, scale: number): AvroSchema => ({ type: 'bytes', logicalType: 'decimal', precision, scale });
  const fixedDec = (size: number, precision: number, scale: number): AvroSchema => ({
    type: 'fixed',
    name: `D${size}`,
    size,
    logicalType: 'decimal',
    precision,
    scale,
  });

  it.each([
    ['0.00', '0.00'],
    ['12.34', '12.34'],
    ['-12.34', '-12.34'],
    ['-0.05', '-0.05'],
    ['5', '5.00'],
    ['5.1', '5.10'],
    ['+7.250', '7.25'],
    ['-0', '0.00'],
    ['99999999999999999999999999999999999.99', '99999999999999999999999999999999999.99'],
  ])('round-trips %s on bytes as %s', (input, output) => {
    expect(roundTrip(dec(38, 2), input)).toBe(output);
  });

  it('round-trips on fixed, with sign extension to the full size', () => {
    expect(roundTrip(fixedDec(8, 18, 4), '-123456789012.3456')).toBe('-123456789012.3456');
    expect(roundTrip(fixedDec(8, 18, 4), '1.0000')).toBe('1.0000');
    expect(roundTrip(fixedDec(16, 38, 0), '-99999999999999999999999999999999999999')).toBe(
      '-99999999999999999999999999999999999999',
    );
    const bytes = serdeOf(fixedDec(4, 9, 0)).serialize('t', { v: '-1' })!;
    expect([...bytes]).toEqual([0xff, 0xff, 0xff, 0xff]);
  });

  it('writes the unscaled value as minimal big-endian two\u2019s complement, as Java BigInteger does', () => {
    const bytesOf = (v: string) => [...avroSerde<string>(dec(10, 2)).serialize('t', v)!];
    // Avro bytes: a zigzag length, then the bytes.
    expect(bytesOf('1.00')).toEqual([0x02, 0x64]);
    expect(bytesOf('-1.28')).toEqual([0x02, 0x80]);
    expect(bytesOf('1.28')).toEqual([0x04, 0x00, 0x80]);
    expect(bytesOf('0')).toEqual([0x02, 0x00]);
  });

  it('refuses digits beyond the scale or the precision instead of rounding', () => {
    expect(() => serdeOf(dec(5, 2)).serialize('t', { v: '1.234' })).toThrow(
      'field "v" expects decimal(5,2) (string), got "1.234" (string) ("1.234" has more than 2 fraction digits)',
    );
    expect(roundTrip(dec(5, 2), '1.2300')).toBe('1.23');
    expect(() => serdeOf(dec(5, 2)).serialize('t', { v: '1234.5' })).toThrow('"1234.5" exceeds decimal(5,2)');
    expect(() => serdeOf(dec(5, 2)).serialize('t', { v: 1.5 })).toThrow('decimal(5,2) expects a string');
    expect(() => serdeOf(dec(5, 2)).serialize('t', { v: '1e3' })).toThrow('not a decimal number: "1e3"');
  });

  it('falls back to plain bytes when the decimal is invalid, as the Avro spec asks', () => {
    const bad: AvroSchema = { type: 'bytes', logicalType: 'decimal', precision: 2, scale: 3 };
    expect(roundTrip(bad, Buffer.from([1, 2]))).toEqual(Buffer.from([1, 2]));
    const tooSmall = fixedDec(2, 10, 0);
    expect(roundTrip(tooSmall, Buffer.from([1, 2]))).toEqual(Buffer.from([1, 2]));
  });
});

describe('uuid', () => {
  const id = '123e4567-e89b-12d3-a456-426614174000';

  it('round-trips on a string, keeping the text as given', () => {
    expect(roundTrip(uuid, id)).toBe(id);
    expect(roundTrip(uuid, id.toUpperCase())).toBe(id.toUpperCase());
  });

  it('round-trips on a fixed of 16 bytes', () => {
    const fixed: AvroSchema = { type: 'fixed', name: 'Uuid', size: 16, logicalType: 'uuid' };
    const bytes = serdeOf(fixed).serialize('t', { v: id.toUpperCase() })!;
    expect(Buffer.from(bytes).toString('hex')).toBe(id.replaceAll('-', ''));
    expect(serdeOf<string>(fixed).deserialize('t', bytes)!.v).toBe(id);
  });

  it('refuses a string that is not a uuid', () => {
    expect(() => serdeOf(uuid).serialize('t', { v: 'nope' })).toThrow('field "v" expects uuid (string), got "nope"');
  });
});

describe('logical types in unions and resolution', () => {
  it('round-trips nullable logical types', () => {
    const schema: AvroSchema = {
      type: 'record',
      name: 'R',
      fields: [
        { name: 'at', type: ['null', millis] },
        { name: 'us', type: [micros, 'null'] },
        { name: 'price', type: ['null', { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 }] },
      ],
    };
    const serde = avroSerde<unknown>(schema);
    const full = { at: new Date(5), us: 6n, price: '7.00' };
    const empty = { at: null, us: null, price: null };
    expect(serde.deserialize('t', serde.serialize('t', full))).toEqual(full);
    expect(serde.deserialize('t', serde.serialize('t', empty))).toEqual(empty);
  });

  it('reads an old long as timestamp-millis and an old int as date (the annotation is added)', () => {
    const old = avroSerde<unknown>({
      type: 'record',
      name: 'R',
      fields: [
        { name: 'at', type: 'long' },
        { name: 'day', type: 'int' },
      ],
    });
    const writerSchema: AvroSchema = {
      type: 'record',
      name: 'R',
      fields: [
        { name: 'at', type: 'long' },
        { name: 'day', type: 'int' },
      ],
    };
    const reader = avroSerde<unknown>(
      {
        type: 'record',
        name: 'R',
        fields: [
          { name: 'at', type: millis },
          { name: 'day', type: date },
        ],
      },
      { writerSchema },
    );
    expect(reader.deserialize('t', old.serialize('t', { at: 1000n, day: 1 }))).toEqual({
      at: new Date(1000),
      day: new Date('1970-01-02T00:00:00Z'),
    });
  });

  it('refuses to read timestamp-micros data as timestamp-millis', () => {
    expect(() => avroSerde(millis, { writerSchema: micros })).toThrow(IncompatibleSchemaError);
    expect(() => avroSerde(millis, { writerSchema: micros })).toThrow(
      'the schema changed type from timestamp-micros to timestamp-millis',
    );
  });

  it('reads a decimal with a wider precision at the same scale, from fixed into bytes', () => {
    const writerSchema: AvroSchema = { type: 'fixed', name: 'D', size: 4, logicalType: 'decimal', precision: 9, scale: 2 };
    const bytes = avroSerde<string>(writerSchema).serialize('t', '-1234567.89');
    const reader = avroSerde<string>({ type: 'bytes', logicalType: 'decimal', precision: 20, scale: 2 }, { writerSchema });
    expect(reader.deserialize('t', bytes)).toBe('-1234567.89');
  });
});
