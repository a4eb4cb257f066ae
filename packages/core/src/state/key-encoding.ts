/**
 * Byte layouts of state-store keys. Stores are ordered bytewise, so each layout is chosen to make
 * that order the order queries need (as Kafka Streams' key schemas do):
 *
 * - key-value store:  `[key]`
 * - window store:     `[segment:8][key][windowStart:8]` (+ `[seq:4]` when duplicates are kept)
 * - session store:    `[segment:8][key][sessionEnd:8][sessionStart:8]`
 *
 * Timestamps and segment ids are 64-bit big-endian with the sign bit flipped ("sign-corrected"), so
 * that negative times sort before positive ones. The segment prefix groups entries by time so that
 * retention drops whole segments with one range delete, never scanning live data.
 */

const TWO_POW_32 = 2 ** 32;

/**
 * Writes `value` (a safe integer, may be negative) as a sign-corrected big-endian 64-bit integer.
 * Byte by byte rather than through a `DataView`: this runs several times per record on every
 * window and session store access, and a `DataView` per call cost 20 times as much.
 */
export function writeSortableInt64(target: Uint8Array, offset: number, value: number): void {
  const highSigned = Math.floor(value / TWO_POW_32);
  writeUint32(target, offset, (highSigned ^ 0x80000000) >>> 0);
  writeUint32(target, offset + 4, (value - highSigned * TWO_POW_32) >>> 0);
}

/** Reads a value written by {@link writeSortableInt64}. */
export function readSortableInt64(source: Uint8Array, offset: number): number {
  const high = (readUint32(source, offset) ^ 0x80000000) | 0;
  return high * TWO_POW_32 + readUint32(source, offset + 4);
}

/** Writes an unsigned 32-bit integer big-endian. */
function writeUint32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value >>> 24;
  target[offset + 1] = (value >>> 16) & 0xff;
  target[offset + 2] = (value >>> 8) & 0xff;
  target[offset + 3] = value & 0xff;
}

/** Reads an unsigned 32-bit integer big-endian. */
function readUint32(source: Uint8Array, offset: number): number {
  return ((source[offset]! << 24) | (source[offset + 1]! << 16) | (source[offset + 2]! << 8) | source[offset + 3]!) >>> 0;
}

/** 8 bytes holding a sortable timestamp. */
export function sortableInt64(value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  writeSortableInt64(bytes, 0, value);
  return bytes;
}

/** Concatenates byte arrays into one. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** The smallest key greater than every key that starts with `prefix` (for half-open prefix scans). */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  const end = Uint8Array.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return undefined; // all 0xff: no upper bound
}

/** Window-store key: `[segment][key][windowStart]`, plus a sequence number when duplicates are kept. */
export function windowStoreKey(segment: number, key: Uint8Array, windowStart: number, seq?: number): Uint8Array {
  const out = new Uint8Array(8 + key.byteLength + 8 + (seq === undefined ? 0 : 4));
  writeSortableInt64(out, 0, segment);
  out.set(key, 8);
  writeSortableInt64(out, 8 + key.byteLength, windowStart);
  if (seq !== undefined) writeUint32(out, 16 + key.byteLength, seq);
  return out;
}

/** Splits a window-store key back into its parts. */
export function parseWindowStoreKey(
  bytes: Uint8Array,
  withSeq = false,
): { segment: number; key: Uint8Array; windowStart: number } {
  const keyEnd = bytes.byteLength - 8 - (withSeq ? 4 : 0);
  return {
    segment: readSortableInt64(bytes, 0),
    key: bytes.subarray(8, keyEnd),
    windowStart: readSortableInt64(bytes, keyEnd),
  };
}

/** Session-store key: `[segment][key][end][start]` (end before start, as Kafka Streams' SessionKeySchema). */
export function sessionStoreKey(segment: number, key: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(8 + key.byteLength + 16);
  writeSortableInt64(out, 0, segment);
  out.set(key, 8);
  writeSortableInt64(out, 8 + key.byteLength, end);
  writeSortableInt64(out, 16 + key.byteLength, start);
  return out;
}

/** Splits a session-store key back into its parts. */
export function parseSessionStoreKey(bytes: Uint8Array): { segment: number; key: Uint8Array; start: number; end: number } {
  const keyEnd = bytes.byteLength - 16;
  return {
    segment: readSortableInt64(bytes, 0),
    key: bytes.subarray(8, keyEnd),
    end: readSortableInt64(bytes, keyEnd),
    start: readSortableInt64(bytes, keyEnd + 8),
  };
}

/** Segment of a timestamp: segments are `segmentInterval` wide, aligned to the epoch. */
export function segmentOf(timestamp: number, segmentInterval: number): number {
  return Math.floor(timestamp / segmentInterval);
}

/** Bytewise comparison, the order of every byte store. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.byteLength, b.byteLength);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.byteLength - b.byteLength;
}

/** Equality of byte arrays. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
