import { readPartitions } from '@weir/kafka';
import type { KafkaMessage, Producer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { connectedAdmin, uniqueName, uniqueTopic } from './support/kafka.js';
import { readTopic } from './support/topics.js';

/**
 * Importing @weir/kafka corrects kafkajs's read_committed filter (packages/kafka/src/internal/read-committed.ts).
 * Without the correction, kafkajs 2.2.4 hands the first 5 records of p1's aborted transaction to the application here.
 */
describe('read_committed consumers skip every aborted transaction', () => {
  const connected = connectedAdmin();

  it('when two producers interleave on one partition and abort in the other order than they started', async () => {
    const { kafka, admin } = connected;
    const topic = uniqueTopic('read-committed');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producers: Producer[] = [];
    const producer = async () => {
      const p = kafka.producer({ transactionalId: uniqueName('read-committed-txn'), idempotent: true, maxInFlightRequests: 1 });
      await p.connect();
      producers.push(p);
      return p;
    };
    const [p1, p2] = [await producer(), await producer()];
    const messages = (tag: string) => Array.from({ length: 5 }, (_, i) => ({ value: `${tag}-${i}` }));
    try {
      // Offsets 0-4 p1, 5-9 p2, 10-14 p1; p2 aborts first (15), then p1 (16): the broker lists p2's transaction first.
      const [t1, t2] = [await p1.transaction(), await p2.transaction()];
      await t1.send({ topic, messages: messages('aborted-p1-a') });
      await t2.send({ topic, messages: messages('aborted-p2') });
      await t1.send({ topic, messages: messages('aborted-p1-b') });
      await t2.abort();
      await t1.abort();
      // Then both producers commit: a producer's records after its abort marker are visible again.
      for (const [p, tag] of [
        [p1, 'committed-p1'],
        [p2, 'committed-p2'],
      ] as const) {
        const t = await p.transaction();
        await t.send({ topic, messages: messages(tag) });
        await t.commit();
      }
    } finally {
      await Promise.all(producers.map((p) => p.disconnect()));
    }
    const committed = [...messages('committed-p1'), ...messages('committed-p2')].map((m) => m.value);

    // A kafkajs consumer group, as every Weir task reads its input.
    const consumed = await readTopic(kafka, admin, topic);
    expect(consumed.get(0)!.map((m) => m.value!.toString())).toEqual(committed);

    // readPartitions (changelog restore, global stores), from the start and from inside both aborted transactions.
    const read = async (from: bigint) => {
      const out: KafkaMessage[] = [];
      await readPartitions(kafka, admin, [{ topic, partition: 0, from }], (_t, _p, batch) => void out.push(...batch), { groupPrefix: uniqueName('read-committed') });
      return out.map((m) => m.value!.toString());
    };
    expect(await read(0n)).toEqual(committed);
    expect(await read(7n)).toEqual(committed);
  }, 60_000);
});
