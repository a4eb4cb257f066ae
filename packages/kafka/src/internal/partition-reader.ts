import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { type Logger, silentLogger } from '../logger.js';
import { fixedAssigner } from './task-assignor.js';

/** One partition to read from `from` (inclusive) to its end as of the call. */
export interface PartitionRange {
  readonly topic: string;
  readonly partition: number;
  readonly from: bigint;
}

/**
 * Reads chosen partitions from given offsets up to their current end, `read_committed`, and
 * returns when every one is done. The app restores stores from changelogs and loads global
 * tables with it; tools use it to read what an exactly-once app wrote (aborted records skipped).
 *
 * kafkajs cannot assign partitions by hand, so this joins a throw-away consumer group of one
 * member whose assigner hands out exactly these partitions, seeks them, and tracks the position
 * through batch events (a partition ending in a transaction marker delivers no message for it,
 * but its batch event still reports the offset reached). The group is deleted afterwards.
 *
 * @param onMessages called per batch with the messages of one partition, in offset order, each
 *   message once
 * @param options - `groupPrefix` names the throw-away group; `heartbeat` is called every second
 *   while reading (a caller inside a consumer's batch keeps its membership)
 * @example
 * await readPartitions(kafka, admin, [{ topic: 'orders', partition: 0, from: 0n }], (topic, partition, messages) => {
 *   for (const m of messages) console.log(partition, m.offset, m.key?.toString());
 * }, { groupPrefix: 'orders-dump' });
 */
export async function readPartitions(
  kafka: Kafka,
  admin: Admin,
  ranges: readonly PartitionRange[],
  onMessages: (topic: string, partition: number, messages: KafkaMessage[]) => void | Promise<void>,
  options: { groupPrefix: string; logger?: Logger; heartbeat?: () => Promise<void> },
): Promise<void> {
  const ends = new Map<string, bigint>();
  const todo = new Map<string, PartitionRange>();
  for (const topic of new Set(ranges.map((r) => r.topic))) {
    for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
      ends.set(`${topic}:${partition}`, BigInt(high));
    }
  }
  for (const range of ranges) {
    const key = `${range.topic}:${range.partition}`;
    if (range.from < (ends.get(key) ?? 0n)) todo.set(key, range);
  }
  if (todo.size === 0) return;

  const wanted = new Map<string, number[]>();
  for (const r of todo.values()) wanted.set(r.topic, [...(wanted.get(r.topic) ?? []), r.partition]);
  const groupId = `${options.groupPrefix}-${randomUUID()}`;
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    partitionAssigners: [fixedAssigner(wanted)],
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
  const positions = new Map<string, bigint>();
  /** Per partition: the offset after the last message handed to `onMessages`. */
  const delivered = new Map<string, bigint>();
  let finish: () => void = () => {};
  let fail: (e: unknown) => void = () => {};
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const advance = (topic: string, partition: number, next: bigint) => {
    const key = `${topic}:${partition}`;
    if (!todo.has(key)) return;
    if (next > (positions.get(key) ?? -1n)) positions.set(key, next);
    if ([...todo.keys()].every((k) => (positions.get(k) ?? -1n) >= ends.get(k)!)) finish();
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    advance(payload.topic, payload.partition, BigInt(payload.lastOffset) + 1n);
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) fail(payload.error);
  });
  const beat = options.heartbeat ? setInterval(() => void options.heartbeat?.().catch(() => {}), 1000) : undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...wanted.keys()], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        const key = `${batch.topic}:${batch.partition}`;
        const range = todo.get(key);
        if (!range) return;
        const end = ends.get(key)!;
        // A seek may land after a first fetch from the beginning, which then comes again: each
        // offset is delivered once, from `from` on.
        const next = delivered.get(key) ?? range.from;
        const messages = batch.messages.filter((m) => {
          const offset = BigInt(m.offset);
          return offset >= next && offset < end;
        });
        if (messages.length === 0) return;
        delivered.set(key, BigInt(messages[messages.length - 1]!.offset) + 1n);
        await onMessages(batch.topic, batch.partition, messages);
      },
    });
    for (const r of todo.values()) consumer.seek({ topic: r.topic, partition: r.partition, offset: r.from.toString() });
    await done;
  } finally {
    if (beat) clearInterval(beat);
    await consumer.disconnect().catch(() => {});
    await admin.deleteGroups([groupId]).catch((error: unknown) => {
      (options.logger ?? silentLogger).debug('could not delete restore group', { groupId, error });
    });
  }
}
