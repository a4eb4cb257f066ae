/**
 * Decimal arithmetic on strings and bigints: a decimal value is an unscaled integer and a scale
 * (`"123.45"` at scale 2 is 12345n). No float ever touches the digits.
 */

const DECIMAL_TEXT = /^([+-])?(\d+)(?:\.(\d+))?$/;

/** Number of decimal digits of |n| (0 has one digit). */
export function digitCount(n: bigint): number {
  return (n < 0n ? -n : n).toString().length;
}

/**
 * Parses `"-12.5"` into its unscaled value at `scale` (`-1250n` at scale 2).
 * @throws Error when the text is not a plain decimal, or has non-zero digits beyond `scale`
 *   (rounding would change the value silently)
 */
export function parseDecimal(text: string, scale: number): bigint {
  const match = DECIMAL_TEXT.exec(text);
  if (match === null) throw new Error(`not a decimal number: ${JSON.stringify(text)}`);
  const [, sign, whole = '', fraction = ''] = match;
  let digits = fraction;
  if (digits.length > scale) {
    const dropped = digits.slice(scale);
    if (!/^0*$/.test(dropped)) {
      throw new Error(`${JSON.stringify(text)} has more than ${scale} fraction digits`);
    }
    digits = digits.slice(0, scale);
  }
  const unscaled = BigInt(whole + digits.padEnd(scale, '0'));
  return sign === '-' ? -unscaled : unscaled;
}

/** Formats an unscaled value with exactly `scale` fraction digits: `formatDecimal(-5n, 2)` is `"-0.05"`. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale === 0) return (negative ? '-' : '') + digits;
  const padded = digits.padStart(scale + 1, '0');
  const point = padded.length - scale;
  return `${negative ? '-' : ''}${padded.slice(0, point)}.${padded.slice(point)}`;
}

/**
 * Big-endian two's complement bytes of `n`, as Avro's decimal and Java's
 * `BigInteger.toByteArray()`: the fewest bytes (at least one) or exactly `size` when given.
 * @throws Error when `n` does not fit `size` bytes
 */
export function toTwosComplement(n: bigint, size?: number): Buffer {
  let length = 1;
  while (n < -(1n << BigInt(8 * length - 1)) || n >= 1n << BigInt(8 * length - 1)) length++;
  if (size !== undefined) {
    if (length > size) throw new Error(`${n} does not fit ${size} bytes`);
    length = size;
  }
  const out = Buffer.alloc(length);
  // BigInt.asUintN gives the two's complement bit pattern of a negative number.
  let bits = BigInt.asUintN(8 * length, n);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(bits & 0xffn);
    bits >>= 8n;
  }
  return out;
}

/** The signed integer held in big-endian two's complement `bytes` (empty is 0). */
export function fromTwosComplement(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const byte of bytes) n = (n << 8n) | BigInt(byte);
  return bytes.length === 0 ? 0n : BigInt.asIntN(8 * bytes.length, n);
}

/** Largest precision a `size`-byte fixed can hold: floor(log10(2^(8 * size - 1) - 1)). */
export function maxPrecisionOfFixed(size: number): number {
  return ((1n << BigInt(8 * size - 1)) - 1n).toString().length - 1;
}
