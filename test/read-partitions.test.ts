import { readPartitions } from '@weir/kafka';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { connectedAdmin, uniqueName, uniqueTopic } from './support/kafka.js';

describe('readPartitions (read_committed, up to the end)', () => {
  const connected = connectedAdmin();

  it('delivers every committed record once, in offset order, skipping aborted ones and transaction markers', async () => {
    const { kafka, admin } = connected;
    const topic = uniqueTopic('read-partitions');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    // Transactions of 5,000 records per partition (several fetches each); every third one aborted. The topic then ends
    // with a commit marker, as a repartition topic or changelog of an exactly-once app does.
    const producer = kafka.producer({ transactionalId: uniqueName('read-partitions-txn'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const committed: string[] = [];
    for (let t = 0; t < 9; t++) {
      const txn = await producer.transaction();
      const values = Array.from({ length: 10_000 }, (_, i) => `t${t}-r${i}-${'x'.repeat(60)}`);
      await txn.send({ topic, messages: values.map((value, i) => ({ value, partition: i % 2 })) });
      if (t % 3 === 2) {
        await txn.abort();
      } else {
        await txn.commit();
        committed.push(...values);
      }
    }
    await producer.disconnect();

    const read = async (from: bigint) => {
      const byPartition = new Map<number, KafkaMessage[]>([
        [0, []],
        [1, []],
      ]);
      await readPartitions(
        kafka,
        admin,
        [0, 1].map((partition) => ({ topic, partition, from })),
        (_topic, partition, messages) => {
          byPartition.get(partition)!.push(...messages);
        },
        { groupPrefix: uniqueName('read-partitions') },
      );
      return byPartition;
    };

    const all = await read(0n);
    for (const messages of all.values()) {
      const offsets = messages.map((m) => BigInt(m.offset));
      expect(offsets).toEqual([...offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(new Set(offsets).size).toBe(offsets.length);
    }
    const values = [...all.values()].flat().map((m) => m.value!.toString());
    expect(values.sort()).toEqual([...committed].sort());

    // From an offset inside the log: only what follows it.
    const first = all.get(0) ?? [];
    const tail = await read(BigInt(first[10_000]?.offset ?? '0'));
    expect(tail.get(0)?.map((m) => m.offset)).toEqual(first.slice(10_000).map((m) => m.offset));
  }, 120_000);
});
