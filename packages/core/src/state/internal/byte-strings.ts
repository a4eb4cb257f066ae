/**
 * Conversions between bytes and latin1 "byte strings". Inside core, store keys travel as byte
 * strings: they are valid Map keys and compare in bytewise order (see SortedStringMap).
 */
/** Up to this length, the conversions run in plain JavaScript: store keys are short, and a Buffer per key costs more than the loop. */
const SHORT = 256;

export function toByteString(bytes: Uint8Array): string {
  if (bytes.byteLength <= SHORT) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

export function fromByteString(text: string): Uint8Array {
  if (text.length > SHORT) return new Uint8Array(Buffer.from(text, 'latin1'));
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The smallest byte string greater than `key`: turns an inclusive upper bound into an exclusive one. */
export function successor(key: string): string {
  return key + '\u0000';
}
