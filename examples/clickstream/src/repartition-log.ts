import { readPartitions } from '@weir/kafka';
import type { Admin, Kafka } from 'kafkajs';
import type { Clickstream } from './generator.js';
import { type ExpectedTable, PerMinuteCount } from './reference.js';
import { isTick } from './topology.js';

/** What the repartition topic holds once the app consumed its whole input. */
export interface RepartitionLog {
  /** Records read (ticks included). */
  readonly records: number;
  /**
   * Per partition, the offset after its last record: where the per-page task's committed
   * position ends once it processed everything (the transaction markers after it hold no record).
   */
  readonly ends: ReadonlyMap<number, bigint>;
  /** The per-page table these records imply, replayed in each partition's order. */
  readonly pages: ExpectedTable;
  /** Views of the clickstream the topic lacks, and views it holds more often than the clickstream (both 0 when exactly once). */
  readonly missing: number;
  readonly extra: number;
}

/**
 * Reads the repartition topic `read_committed`, as the per-page tasks read it, after the
 * upstream tasks committed the whole input (ticks included): it then holds every view once, in
 * the order the upstream tasks' transactions interleaved them.
 *
 * That order decides which views the per-page count drops as late. The upstream tasks (one per
 * input partition, each with its own transactional producer, as in Kafka Streams) commit their
 * records in blocks, so a repartition partition's stream time can run ahead of a view by up to
 * the event time one task commits at once; a view delayed within the grace period can then be
 * late. Replaying the per-page count over the topic's real order makes the demo's check exact at
 * any speed; {@link RepartitionLog.missing} and {@link RepartitionLog.extra} check the
 * repartition step itself against the clickstream.
 */
export async function readRepartitionLog(kafka: Kafka, admin: Admin, topic: string, stream: Clickstream): Promise<RepartitionLog> {
  const partitions = (await admin.fetchTopicOffsets(topic)).map((p) => p.partition);
  const count = new PerMinuteCount();
  const ends = new Map<number, bigint>();
  // Multiset of (page, event time) of the clickstream, decremented by every view read.
  const pending = new Map<string, number>();
  for (let i = 0; i < stream.count; i++) {
    const page = stream.page[i] ?? 0;
    const key = viewKey(stream.pageNames[page]!, stream.timestamp[i]!);
    pending.set(key, (pending.get(key) ?? 0) + 1);
  }
  let records = 0;
  let extra = 0;
  await readPartitions(
    kafka,
    admin,
    partitions.map((partition) => ({ topic, partition, from: 0n })),
    (_topic, partition, messages) => {
      for (const message of messages) {
        const page = message.key?.toString('utf8') ?? '';
        const t = Number(message.timestamp);
        count.add(partition, page, t);
        records++;
        ends.set(partition, BigInt(message.offset) + 1n);
        if (isTick(page)) continue;
        const key = viewKey(page, t);
        const left = pending.get(key) ?? 0;
        if (left === 0) extra++;
        else if (left === 1) pending.delete(key);
        else pending.set(key, left - 1);
      }
    },
    { groupPrefix: `${topic}-demo-check` },
  );
  let missing = 0;
  for (const n of pending.values()) missing += n;
  return { records, ends, pages: count.table(), missing, extra };
}

function viewKey(page: string, t: number): string {
  return `${page}@${t}`;
}
