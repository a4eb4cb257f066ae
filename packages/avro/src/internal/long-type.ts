import avro from 'avsc';

const MIN_LONG = -(2n ** 63n);
const MAX_LONG = 2n ** 63n - 1n;

/** True for a bigint that fits an Avro long (64-bit signed). */
export function isLong(value: unknown): value is bigint {
  return typeof value === 'bigint' && value >= MIN_LONG && value <= MAX_LONG;
}

/**
 * Avro `long` as `bigint`, the custom long type avsc documents (`LongType.__with`).
 *
 * avsc's own long is a JS number and throws on values beyond 2^53; a Kafka offset, a
 * microsecond timestamp or a 64-bit id must not lose precision, so every long is a bigint.
 * avsc hands us the varint already unpacked into 8 little-endian two's complement bytes,
 * which is exactly what `Buffer.readBigInt64LE` reads.
 */
export const BIGINT_LONG: avro.Type = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer): bigint => buf.readBigInt64LE(0),
  toBuffer: (value: bigint): Buffer => {
    const buf = Buffer.allocUnsafe(8);
    buf.writeBigInt64LE(value);
    return buf;
  },
  // fromJSON parses schema defaults (`"default": 0`) and int -> long promotions; a string is
  // accepted so that toJSON below can stay lossless beyond 2^53.
  fromJSON: (json: unknown): bigint => {
    if (typeof json === 'bigint') return json;
    if (typeof json === 'number' && Number.isInteger(json)) return BigInt(json);
    if (typeof json === 'string' && /^-?\d+$/.test(json)) return BigInt(json);
    throw new Error(`invalid long: ${String(json)}`);
  },
  // avsc clones values through toJSON/fromJSON: a number while exact, a string beyond.
  toJSON: (value: bigint): number | string => {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.toString();
  },
  isValid: isLong,
  compare: (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0),
});
