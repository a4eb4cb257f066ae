// DECIMAL values are strings in the column model ("-12.50", exactly `scale` fraction digits) and
// unscaled integers in Parquet. Everything here is exact: no float ever touches a decimal.

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d*))?$/;

/** The parts of a decimal string, or undefined when it is not one. */
function parse(value: string): { negative: boolean; digits: string; fraction: string } | undefined {
  const match = DECIMAL.exec(value);
  if (match === null) return undefined;
  return { negative: match[1] === '-', digits: match[2]!, fraction: match[3] ?? '' };
}

/**
 * The unscaled integer of `value` at `scale` (`"-12.5"` at scale 2 is `-1250n`).
 * @returns the integer, or a reason why `value` is not a decimal of this scale and precision
 */
export function decimalToUnscaled(value: string, precision: number, scale: number): bigint | string {
  const parts = parse(value);
  if (parts === undefined) return `"${value}" is not a decimal number`;
  const fraction = parts.fraction.replace(/0+$/, '');
  if (fraction.length > scale) return `"${value}" has more than ${scale} fraction digits`;
  const unscaled = BigInt(parts.digits + fraction.padEnd(scale, '0'));
  if (unscaled.toString().length > precision && unscaled !== 0n) {
    return `"${value}" has more than ${precision} significant digits`;
  }
  return parts.negative ? -unscaled : unscaled;
}

/** The model string of an unscaled integer: `-1250n` at scale 2 is `"-12.50"`. */
export function unscaledToDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const text = scale === 0 ? whole : `${whole}.${digits.slice(digits.length - scale)}`;
  return negative ? `-${text}` : text;
}

/** Reads a big-endian two's complement integer (Parquet's FIXED_LEN_BYTE_ARRAY decimals). */
export function bytesToUnscaled(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  const bits = BigInt(bytes.length * 8);
  return bytes[0]! >= 0x80 ? value - (1n << bits) : value;
}

/** Compares two decimal strings numerically (any scales); NaN-free by construction. */
export function compareDecimals(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  if (x === undefined || y === undefined) return a < b ? -1 : a > b ? 1 : 0;
  const scale = Math.max(x.fraction.length, y.fraction.length);
  const ux = BigInt(x.digits + x.fraction.padEnd(scale, '0')) * (x.negative ? -1n : 1n);
  const uy = BigInt(y.digits + y.fraction.padEnd(scale, '0')) * (y.negative ? -1n : 1n);
  return ux < uy ? -1 : ux > uy ? 1 : 0;
}

/** The physical type Parquet stores a DECIMAL of this precision in, and its byte length. */
export function decimalPhysical(precision: number): { type: 'INT32' | 'INT64' | 'FIXED_LEN_BYTE_ARRAY'; length?: number } {
  // Spec (LogicalTypes.md): INT32 for precision <= 9, INT64 for <= 18, else a fixed array of
  // the fewest bytes whose two's complement range holds 10^precision - 1.
  if (precision <= 9) return { type: 'INT32' };
  if (precision <= 18) return { type: 'INT64' };
  const max = 10n ** BigInt(precision) - 1n;
  let length = 1;
  while (1n << BigInt(length * 8 - 1) <= max) length++;
  return { type: 'FIXED_LEN_BYTE_ARRAY', length };
}
