/**
 * The partition a keyed record lands in under the default partitioner of kafkajs (and of the
 * Java client for keyed records): `toPositive(murmur2(keyBytes)) % numPartitions`. A backfill
 * uses it to give each partition task the archived records its partition held.
 * @param key the serialized key; `null` (no key) maps to partition 0
 */
export function defaultPartition(key: Uint8Array | null, numPartitions: number): number {
  if (key === null) return 0;
  // Spec (Kafka's Utils.toPositive): clear the sign bit rather than taking Math.abs.
  return (murmur2(key) & 0x7fffffff) % numPartitions;
}

/** Kafka's 32-bit murmur2 (seed 0x9747b28c), as a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const r = 24;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const blocks = length >> 2;
  for (let i = 0; i < blocks; i++) {
    const at = i * 4;
    let k = (data[at]! & 0xff) | ((data[at + 1]! & 0xff) << 8) | ((data[at + 2]! & 0xff) << 16) | ((data[at + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = blocks * 4;
  // The tail bytes are mixed cumulatively (murmur2's fall-through switch).
  const rest = length & 3;
  if (rest === 3) h ^= (data[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}
