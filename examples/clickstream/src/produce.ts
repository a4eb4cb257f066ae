import type { Kafka, Message } from 'kafkajs';
import type { Clickstream, PageView } from './generator.js';
import { namesCoveringPartitions, partitionFor } from './partitions.js';
import { SESSION_GAP_MS, SESSION_GRACE_MS, TICK_PREFIX, WINDOW_SIZE_MS } from './topology.js';

/** Options of {@link produceClickstream}. */
export interface ProduceOptions {
  topic: string;
  partitions: number;
  /** Messages per `send`. Default 2_000 (kafkajs groups a send's messages by partition in quadratic time). */
  batchSize?: number;
  /** Awaited before each `send` with the number of views produced once it is sent: holds the producer back (pacing). */
  pace?: (produced: number) => Promise<void>;
  /** Called after each `send`. */
  onProduced?: (produced: number) => void;
}

/**
 * Produces the views in arrival order, keyed by user, each to its user's partition (as Kafka's
 * default partitioner would place it), with the view's event time as record timestamp. One
 * idempotent producer and one request at a time keep each partition in arrival order.
 *
 * @returns the number of records per partition
 */
export async function produceClickstream(kafka: Kafka, stream: Clickstream, options: ProduceOptions): Promise<number[]> {
  const { topic, partitions, batchSize = 2_000, pace, onProduced } = options;
  const partitionOfUser = stream.userNames.map((user) => partitionFor(user, partitions));
  const perPartition = new Array<number>(partitions).fill(0);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let from = 0; from < stream.count; from += batchSize) {
      const to = Math.min(stream.count, from + batchSize);
      await pace?.(to);
      const messages: Message[] = [];
      for (let i = from; i < to; i++) {
        const { key, value, timestamp } = stream.record(i);
        const partition = partitionOfUser[stream.user[i] ?? 0]!;
        perPartition[partition]!++;
        messages.push({ key, value, timestamp: String(timestamp), partition });
      }
      await producer.send({ topic, acks: -1, messages });
      onProduced?.(to);
    }
  } finally {
    await producer.disconnect();
  }
  return perPartition;
}

/**
 * How many views the paced producer lets the app lag behind by default: 10 s of event time.
 * Pacing keeps the run close to live processing, where the repartition topic is nearly in
 * event-time order: each upstream task writes what it processed between two commits as one
 * block, and a backlog makes those blocks long enough to push views that are only out of order
 * past the grace period. The demo's check replays the topic as it was written, so it is exact
 * whatever the pacing; the pacing decides how many views beyond the late ones are dropped.
 */
export function defaultInFlight(stream: Clickstream): number {
  const perSecond = stream.count / ((stream.endMs - stream.startMs) / 1000);
  return Math.max(100, Math.round(perSecond * 10));
}

/**
 * The event time of the tick records: late enough that every window and session of the
 * clickstream closes. A 1-minute window closes at end + grace, a session at its last view + gap
 * + grace; the ticks come one window after the latest of these.
 */
export function tickTime(stream: Clickstream): number {
  return stream.endMs + SESSION_GAP_MS + SESSION_GRACE_MS + WINDOW_SIZE_MS;
}

/**
 * The tick records that close the last windows: on every input partition `p`, one tick for every
 * partition `q` of the repartition topic, from user `__tick-p<p>` (so each session task sees it)
 * on a page that the repartition step sends to `q` (so each per-page task sees it).
 */
export function tickRecords(
  stream: Clickstream,
  { partitions, repartitionPartitions }: { partitions: number; repartitionPartitions: number },
): Array<{ key: string; value: string; timestamp: number; partition: number }> {
  const ts = tickTime(stream);
  const pages = namesCoveringPartitions(`/${TICK_PREFIX}`, repartitionPartitions);
  const records = [];
  for (let p = 0; p < partitions; p++) {
    const user = `${TICK_PREFIX}-p${p}`;
    for (const page of pages) {
      const view: PageView = { user, page, ts, device: 'desktop' };
      records.push({ key: user, value: JSON.stringify(view), timestamp: ts, partition: p });
    }
  }
  return records;
}

/**
 * Produces the {@link tickRecords}.
 * @returns how many ticks were produced
 */
export async function produceTicks(kafka: Kafka, stream: Clickstream, options: { topic: string; partitions: number; repartitionPartitions: number }): Promise<number> {
  const messages: Message[] = tickRecords(stream, options).map((r) => ({ ...r, timestamp: String(r.timestamp) }));
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic: options.topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
  return messages.length;
}
