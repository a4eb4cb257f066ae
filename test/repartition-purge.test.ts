import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consumed, Grouped, Produced, Serdes, StreamsBuilder } from '@weir/core';
import { silentLogger, WeirApp } from '@weir/kafka';
import { ConfigResourceTypes } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { connectedAdmin, kafkaBrokers, uniqueName, uniqueTopic } from './support/kafka.js';
import { hasConsumedAll, readTopic, waitUntil } from './support/topics.js';

describe('repartition topics', () => {
  const connected = connectedAdmin();

  it('are kept without a time limit, and purged up to what the app committed as consumed', async () => {
    const { kafka, admin } = connected;
    const input = uniqueTopic('purge-in');
    const output = uniqueTopic('purge-out');
    await admin.createTopics({
      topics: [
        { topic: input, numPartitions: 2 },
        { topic: output, numPartitions: 2 },
      ],
      waitForLeaders: true,
    });
    const producer = kafka.producer();
    await producer.connect();
    const colors = ['red', 'green', 'blue', 'black', 'white'];
    const records = Array.from({ length: 4_000 }, (_, i) => ({ key: `user-${i % 97}`, value: colors[(i * 7) % colors.length]! }));
    await producer.send({ topic: input, messages: records });
    await producer.disconnect();

    // Counts per color: the groupBy re-keys by value, through a repartition topic.
    const builder = new StreamsBuilder();
    builder
      .stream(input, Consumed.with(Serdes.String(), Serdes.String()))
      .groupBy((_user, color) => color, Grouped.with(Serdes.String(), Serdes.String()).withName('by-color'))
      .count()
      .toStream()
      .to(output, Produced.with(Serdes.String(), Serdes.Json<number>()));
    const applicationId = uniqueName('purge');
    const app = new WeirApp(builder.build(), {
      applicationId,
      brokers: kafkaBrokers(),
      stateDir: await mkdtemp(join(tmpdir(), 'weir-purge-')),
      logger: silentLogger,
      repartitionPurgeIntervalMs: 200,
    });
    await app.start({ handleSignals: false });
    try {
      const repartition = `${applicationId}-by-color-repartition`;
      const expected = new Map<string, number>();
      for (const r of records) expected.set(r.value, (expected.get(r.value) ?? 0) + 1);
      const latestCounts = async () => {
        const latest = new Map<string, number>();
        for (const messages of (await readTopic(kafka, admin, output)).values()) {
          for (const m of messages) latest.set(m.key!.toString(), JSON.parse(m.value!.toString()) as number);
        }
        return latest;
      };
      await waitUntil('the app consumed its input', () => hasConsumedAll(admin, applicationId, input), 60_000);
      // Every count whole: every repartitioned record was consumed and committed.
      await waitUntil('the counts are complete', async () => JSON.stringify([...(await latestCounts())].sort()) === JSON.stringify([...expected].sort()), 60_000);

      const [described] = (await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: repartition }], includeSynonyms: false })).resources;
      expect(described?.configEntries.find((e) => e.configName === 'retention.ms')?.configValue).toBe('-1');

      // Purged: each partition starts where the group's committed offset is (every record consumed).
      const purged = async () => {
        const committed = (await admin.fetchOffsets({ groupId: applicationId, topics: [repartition] }))[0]!.partitions;
        const offsets = await admin.fetchTopicOffsets(repartition);
        return offsets.every(({ partition, low }) => BigInt(low) > 0n && BigInt(low) === BigInt(committed.find((c) => c.partition === partition)!.offset));
      };
      await waitUntil('the repartition topic was purged up to the committed offsets', purged, 30_000);

      // The input and output topics are the user's: untouched.
      for (const topic of [input, output]) for (const { low } of await admin.fetchTopicOffsets(topic)) expect(low).toBe('0');
      expect(await latestCounts()).toEqual(expected);
    } finally {
      await app.close();
    }
  }, 120_000);
});
