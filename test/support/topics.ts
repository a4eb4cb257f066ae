import { randomUUID } from 'node:crypto';
// For its side effect: the correction of kafkajs's read_committed filter (see read-committed.test.ts),
// without which readTopic could return records of aborted transactions.
import '@weir/kafka';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import type { WorkloadRecord } from './datasets.js';

/** Writes records to their partitions in order, in batches. */
export async function produceRecords(kafka: Kafka, topic: string, records: readonly WorkloadRecord[], batchSize = 5_000): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < records.length; i += batchSize) {
      await producer.send({
        topic,
        acks: -1,
        messages: records.slice(i, i + batchSize).map((r) => ({
          key: r.key,
          value: r.value,
          timestamp: String(r.timestamp),
          partition: r.partition,
        })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * Reads a whole topic `read_committed` (what a downstream consumer of an exactly-once app sees),
 * returning each partition's messages in offset order.
 */
export async function readTopic(kafka: Kafka, admin: Admin, topic: string, timeoutMs = 60_000): Promise<Map<number, KafkaMessage[]>> {
  const ends = new Map<number, bigint>();
  for (const { partition, high } of await admin.fetchTopicOffsets(topic)) ends.set(partition, BigInt(high));
  const out = new Map<number, KafkaMessage[]>([...ends.keys()].map((p) => [p, []]));
  if ([...ends.values()].every((e) => e === 0n)) return out;
  const positions = new Map<number, bigint>();
  const groupId = `read-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100 });
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const check = () => {
    if ([...ends].every(([p, end]) => end === 0n || (positions.get(p) ?? 0n) >= end)) done();
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    positions.set(payload.partition, BigInt(payload.lastOffset) + 1n);
    check();
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const list = out.get(batch.partition)!;
      for (const m of batch.messages) if (BigInt(m.offset) < ends.get(batch.partition)!) list.push(m);
    },
  });
  const timer = setTimeout(done, timeoutMs);
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  await admin.deleteGroups([groupId]).catch(() => {});
  return out;
}

/** Whether group `groupId` has committed the end offset of every partition of `topic`. */
export async function hasConsumedAll(admin: Admin, groupId: string, topic: string): Promise<boolean> {
  const ends = await admin.fetchTopicOffsets(topic);
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  const byPartition = new Map(committed[0]?.partitions.map((p) => [p.partition, BigInt(p.offset)]) ?? []);
  // A committed offset may point past a transaction marker: at or beyond the end counts as done.
  return ends.every(({ partition, high }) => (byPartition.get(partition) ?? -1n) >= BigInt(high) || BigInt(high) === 0n);
}

/** How long one check of a {@link waitUntil} condition may take before it counts as not holding. */
const CONDITION_TIMEOUT_MS = 20_000;

/** `condition()`, or false when it throws or takes longer than {@link CONDITION_TIMEOUT_MS}. */
async function check(condition: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), CONDITION_TIMEOUT_MS);
  });
  try {
    return await Promise.race([condition().catch(() => false), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls an async condition once a second until it holds; fails after `timeoutMs` with `what` and
 * optional details. A condition that throws counts as not holding yet (a broker that is
 * restarting answers "not the leader" for a while), and so does one that hangs (a client
 * request to a restarted broker), so the deadline always holds.
 */
export async function waitUntil(what: string, condition: () => Promise<boolean>, timeoutMs: number, details?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check(condition))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}${details ? `\n${details()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
