import { createHash, randomUUID } from 'node:crypto';
import type { ParquetReadPosition } from '@weir/parquet';
import type { Admin, Kafka } from 'kafkajs';

/** The compacted topic where `weir import` commits its positions, one record per (topic, source). */
export const DEFAULT_POSITION_TOPIC = '__weir-import-positions';

/** What an import committed with its last transaction. */
export interface ImportPosition {
  /** Format of this record. */
  readonly v: 1;
  /** The target topic. */
  readonly topic: string;
  /** The source as resolved (absolute path, glob or table directory). */
  readonly source: string;
  /** For a Weir table: the snapshot version the import reads, kept for every rerun. */
  readonly version?: number;
  /** The next row to read. */
  readonly position: ParquetReadPosition;
  /** Rows imported so far, over every run. */
  readonly rows: number;
  /** When the transaction was made (ISO 8601). */
  readonly at: string;
}

/** The key of a (topic, source) pair in the position topic. */
export function positionKey(topic: string, source: string): string {
  return JSON.stringify([topic, source]);
}

/**
 * The transactional id of an import: one per (topic, source), so that a rerun of the same import
 * fences a killed run (its open transaction is aborted) while imports of other sources run
 * alongside. A hash keeps it short and free of path characters.
 */
export function importTransactionalId(topic: string, source: string): string {
  const hash = createHash('sha256').update(positionKey(topic, source)).digest('hex').slice(0, 16);
  return `weir-import-${topic}-${hash}`;
}

/** Creates the position topic (compacted, one partition) unless it exists. */
export async function ensurePositionTopic(admin: Admin, topic: string): Promise<void> {
  const existing = await admin.listTopics();
  if (existing.includes(topic)) return;
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
    });
  } catch (error) {
    // Another import created it first.
    if (!/already exists/i.test(String((error as Error).message)) && !(await admin.listTopics()).includes(topic)) throw error;
  }
}

/**
 * Reads the last committed position of `key` from the position topic, `read_committed`: only
 * positions of committed transactions count. Call it after fencing the import's transactional id,
 * so that no transaction of a killed run is still open.
 */
export async function readPosition(kafka: Kafka, admin: Admin, topic: string, key: string, timeoutMs = 60_000): Promise<ImportPosition | undefined> {
  const ends = new Map<number, bigint>();
  for (const { partition, high } of await admin.fetchTopicOffsets(topic)) ends.set(partition, BigInt(high));
  if ([...ends.values()].every((end) => end === 0n)) return undefined;
  const groupId = `weir-import-read-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100 });
  const positions = new Map<number, bigint>();
  let found: ImportPosition | undefined;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const check = () => {
    if ([...ends].every(([p, end]) => end === 0n || (positions.get(p) ?? 0n) >= end)) done();
  };
  // Batch events also advance over transaction markers, which deliver no message.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    positions.set(payload.partition, BigInt(payload.lastOffset) + 1n);
    check();
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          if (message.key?.toString() !== key) continue;
          // A null value is a tombstone: the position was reset.
          found = message.value === null ? undefined : (JSON.parse(message.value.toString()) as ImportPosition);
        }
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms reading ${topic}`)), timeoutMs);
    });
    try {
      await Promise.race([finished, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => {});
  }
  return found;
}
