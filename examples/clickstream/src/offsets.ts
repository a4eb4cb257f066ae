import { readPartitions } from '@weir/kafka';
import type { Admin, Kafka } from 'kafkajs';

/** The end offset (high watermark) of every partition of `topic`. */
export async function endOffsets(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  const ends = new Map<number, bigint>();
  for (const { partition, high } of await admin.fetchTopicOffsets(topic)) ends.set(partition, BigInt(high));
  return ends;
}

/** The offsets group `groupId` committed on `topic`, by partition (-1 when none). */
export async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<Map<number, bigint>> {
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map(committed[0]?.partitions.map((p) => [p.partition, BigInt(p.offset)]) ?? []);
}

/**
 * Whether `committed` reached `ends` on every partition. Under exactly-once a committed offset
 * may point past the transaction marker that ends a partition, so at or beyond the end counts.
 */
export function reached(committed: ReadonlyMap<number, bigint>, ends: ReadonlyMap<number, bigint>): boolean {
  return [...ends].every(([partition, end]) => end === 0n || (committed.get(partition) ?? -1n) >= end);
}

/**
 * Per partition of `topic`, the offset after its last committed record (0 when it has none),
 * read `read_committed`. A consumer that processed everything commits exactly this position.
 * The end offset is not it for a topic written in transactions: transaction markers follow the
 * last record, one per producer whose transaction wrote to the partition (every upstream task,
 * for a repartition or outbox topic), and no consumer ever sees them.
 */
export async function recordEnds(kafka: Kafka, admin: Admin, topic: string): Promise<Map<number, bigint>> {
  const ends = new Map<number, bigint>();
  const partitions = (await admin.fetchTopicOffsets(topic)).map((p) => p.partition);
  for (const partition of partitions) ends.set(partition, 0n);
  await readPartitions(
    kafka,
    admin,
    partitions.map((partition) => ({ topic, partition, from: 0n })),
    (_topic, partition, messages) => {
      ends.set(partition, BigInt(messages[messages.length - 1]!.offset) + 1n);
    },
    { groupPrefix: `${topic}-demo-ends` },
  );
  return ends;
}

/** Sum of the offsets, counting "none" as 0. */
export function total(offsets: ReadonlyMap<number, bigint>): bigint {
  let sum = 0n;
  for (const offset of offsets.values()) sum += offset > 0n ? offset : 0n;
  return sum;
}

/** Options of {@link waitUntil}. */
export interface WaitOptions {
  timeoutMs: number;
  /** Default 500. */
  intervalMs?: number;
  /** Called before every poll; what it throws ends the wait (the app failed, Ctrl-C). */
  abort?: () => void;
}

/**
 * Polls an async condition every `intervalMs` until it holds. A condition that throws counts as
 * not holding yet (a coordinator still loading answers with a retriable error).
 * @throws Error naming `what` after `timeoutMs`, or what `abort` throws
 */
export async function waitUntil(what: string, condition: () => Promise<boolean>, { timeoutMs, intervalMs = 500, abort }: WaitOptions): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    abort?.();
    try {
      if (await condition()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${Math.round(timeoutMs / 1000)} s waiting until ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
