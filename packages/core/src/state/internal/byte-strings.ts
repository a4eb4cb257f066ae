/**
 * Conversions between bytes and latin1 "byte strings". Inside core, store keys travel as byte
 * strings: they are valid Map keys and compare in bytewise order (see SortedStringMap).
 */
export function toByteString(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

export function fromByteString(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

/** The smallest byte string greater than `key`: turns an inclusive upper bound into an exclusive one. */
export function successor(key: string): string {
  return key + '\u0000';
}
