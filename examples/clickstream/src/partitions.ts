import { Partitioners, type PartitionMetadata } from 'kafkajs';

const partitioner = Partitioners.DefaultPartitioner();
const metadataCache = new Map<number, PartitionMetadata[]>();

/**
 * The partition Kafka's default partitioner (murmur2 of the key bytes, as the Java client and
 * kafkajs) gives `key` among `partitions`: where the producer writes a view, and where Weir's
 * repartition step sends a page.
 */
export function partitionFor(key: string, partitions: number): number {
  let metadata = metadataCache.get(partitions);
  if (metadata === undefined) {
    metadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 0, replicas: [0], isr: [0] }));
    metadataCache.set(partitions, metadata);
  }
  return partitioner({ topic: 'any', partitionMetadata: metadata, message: { key, value: null } });
}

/**
 * One name per partition, `<prefix>-<n>` for the smallest `n` that lands on it: tick records
 * use them so that every task of a repartitioned aggregation sees a tick.
 */
export function namesCoveringPartitions(prefix: string, partitions: number): string[] {
  const names: (string | undefined)[] = new Array(partitions).fill(undefined);
  let missing = partitions;
  for (let n = 0; missing > 0; n++) {
    const name = `${prefix}-${n}`;
    const p = partitionFor(name, partitions);
    if (names[p] === undefined) {
      names[p] = name;
      missing--;
    }
  }
  return names as string[];
}
