import { TableError } from '../errors.js';
import type { ParquetReadPosition } from '../source/list-source.js';

/** A source position as committed: where to read next, and the table version read (tables only). */
export interface SourcePosition extends ParquetReadPosition {
  /** The table snapshot the position belongs to: a restart lists that version, so files added since or compacted away do not move it. */
  readonly version?: number;
}

// Kafka's offset.metadata.max.bytes is 4096 by default and the position shares it with the task's
// other metadata: keep the position well under it.
const MAX_POSITION_BYTES = 2048;

/** Serializes a position compactly: `{"v":3,"f":"data/part-1.parquet","g":2,"r":0}`. */
export function encodePosition(position: SourcePosition): string {
  const text = JSON.stringify({
    ...(position.version === undefined ? {} : { v: position.version }),
    f: position.file,
    g: position.rowGroup,
    r: position.row,
  });
  if (Buffer.byteLength(text) > MAX_POSITION_BYTES) {
    throw new TableError(
      `Parquet source position in ${position.file} takes ${Buffer.byteLength(text)} bytes, more than the ${MAX_POSITION_BYTES} the commit metadata allows: use shorter file paths`,
      { context: { file: position.file } },
    );
  }
  return text;
}

/** Reads a position written by {@link encodePosition}. */
export function decodePosition(text: string): SourcePosition {
  const raw = JSON.parse(text) as { v?: number; f: string; g: number; r: number };
  if (typeof raw.f !== 'string' || !Number.isInteger(raw.g) || !Number.isInteger(raw.r)) {
    throw new TableError(`unreadable Parquet source position ${JSON.stringify(text)}`);
  }
  return { file: raw.f, rowGroup: raw.g, row: raw.r, ...(raw.v === undefined ? {} : { version: raw.v }) };
}
