import { createHash, randomUUID } from 'node:crypto';
import type { SourceOffsets } from '../commit.js';

/**
 * The base name of the file a sink writes for `sources`. Derived from the offsets only, so a
 * replay of the same offsets after a crash writes the same name (and replaces a leftover):
 * - one source partition: `part-<topic>-<partition>-<from>-<to>`, offsets padded to 20 digits
 *   so that names sort by offset;
 * - several: `part-<first 32 hex digits of the SHA-256 of the sorted offsets JSON>`;
 * - none (a plain write): `part-<random uuid>`.
 */
export function sinkFileBase(sources: SourceOffsets): string {
  const keys = Object.keys(sources).sort();
  if (keys.length === 0) return `part-${randomUUID()}`;
  if (keys.length === 1) {
    const key = keys[0]!;
    const range = sources[key]!;
    const colon = key.lastIndexOf(':');
    // Kafka topic names are [a-zA-Z0-9._-]; anything else is replaced to keep names portable.
    const topic = key.slice(0, colon).replace(/[^a-zA-Z0-9._-]/g, '_');
    return `part-${topic}-${key.slice(colon + 1)}-${range.from.padStart(20, '0')}-${range.to.padStart(20, '0')}`;
  }
  const canonical = JSON.stringify(keys.map((key) => [key, sources[key]!.from, sources[key]!.to]));
  return `part-${createHash('sha256').update(canonical).digest('hex').slice(0, 32)}`;
}

/** The base name of a compaction's output: unique, since compaction is never replayed. */
export function compactedFileBase(): string {
  return `compact-${randomUUID()}`;
}
