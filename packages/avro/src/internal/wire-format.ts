/**
 * Confluent's wire format: magic byte 0, the writer schema's registry id as a 4-byte big-endian
 * int, then the Avro binary datum.
 */
export const MAGIC_BYTE = 0;
export const HEADER_LENGTH = 5;

/** Why `data` has no valid header, or `undefined` when it has one. */
export function headerProblem(data: Uint8Array): string | undefined {
  if (data.byteLength < HEADER_LENGTH) {
    return `shorter than the ${HEADER_LENGTH}-byte Confluent header (magic byte 0 and a 4-byte schema id)`;
  }
  if (data[0] !== MAGIC_BYTE) {
    const found = data[0]!.toString(16).padStart(2, '0');
    return `first byte is 0x${found}, not the magic byte 0x00 of the Confluent wire format`;
  }
  return undefined;
}

/** The schema id of a header already checked by {@link headerProblem}. */
export function schemaIdOf(data: Uint8Array): number {
  // Java's ByteBuffer.getInt: signed big-endian.
  return new DataView(data.buffer, data.byteOffset + 1, 4).getInt32(0);
}

/** The 5-byte header for `schemaId` followed by `body`. */
export function frame(schemaId: number, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_LENGTH + body.byteLength);
  out[0] = MAGIC_BYTE;
  out.writeInt32BE(schemaId, 1);
  out.set(body, HEADER_LENGTH);
  return out;
}
