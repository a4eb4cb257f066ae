/**
 * Proves that kafkajs 2.2.4 does, against the real broker, everything Weir's runtime relies on:
 * explicit multi-partition topics, exact round trips of keys, headers and timestamps, consumer
 * groups that share and rebalance partitions, and transactions that commit (or abort) records
 * together with a group's offsets.
 */
import kafkajs, { type Admin, type Consumer, type EachMessagePayload, type Producer } from 'kafkajs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testKafka, uniqueName, uniqueTopic, waitFor } from './support/kafka.js';

/** Everything a test opened, disconnected after it whatever the outcome. */
const open: Array<Admin | Producer | Consumer> = [];
function track<T extends Admin | Producer | Consumer>(client: T): T {
  open.push(client);
  return client;
}

// Node's ESM view of the CommonJS kafkajs names only its first few exports (Kafka, logLevel, ...);
// the rest, ConfigResourceTypes among them, must come from the default export.
const { ConfigResourceTypes } = kafkajs;

/**
 * Fetch long-poll for test consumers. kafkajs heartbeats (and so notices a rebalance) and
 * disconnects only between fetches, so the default 5 s poll makes each of those take seconds.
 */
const SHORT_POLL_MS = 500;

let admin: Admin;

beforeAll(async () => {
  admin = testKafka().admin();
  await admin.connect();
  return () => admin.disconnect();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.disconnect()));
});

async function createTopic(topic: string, numPartitions: number): Promise<void> {
  const created = await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
  expect(created).toBe(true);
}

/** A record as the consumer saw it, with Buffers turned into comparable values. */
interface SeenRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  timestamp: string;
  headers: Record<string, string>;
}

function seen({ partition, message }: EachMessagePayload): SeenRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined || Array.isArray(value)) throw new Error(`unexpected header shape for ${name}`);
    headers[name] = value.toString('utf8');
  }
  return {
    partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString('utf8'),
    value: message.value === null ? null : message.value.toString('utf8'),
    timestamp: message.timestamp,
    headers,
  };
}

/** Subscribes a fresh consumer to `topic` from the beginning and collects what it reads. */
async function collect(
  topic: string,
  options: { readUncommitted?: boolean } = {},
): Promise<{ consumer: Consumer; records: SeenRecord[] }> {
  const consumer = track(
    testKafka().consumer({ groupId: uniqueName('reader'), readUncommitted: options.readUncommitted ?? false, maxWaitTimeInMs: SHORT_POLL_MS }),
  );
  const records: SeenRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async (payload) => {
      records.push(seen(payload));
    },
  });
  return { consumer, records };
}

describe('kafkajs 2.2.4 against the Weir test broker', () => {
  it('creates topics with several partitions and describes them', async () => {
    const three = uniqueTopic('three');
    const six = uniqueTopic('six');
    const created = await admin.createTopics({
      topics: [
        { topic: three, numPartitions: 3 },
        { topic: six, numPartitions: 6, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      ],
      waitForLeaders: true,
    });
    expect(created).toBe(true);

    const { topics } = await admin.fetchTopicMetadata({ topics: [three, six] });
    const partitionIds = new Map(topics.map((t) => [t.name, t.partitions.map((p) => p.partitionId).sort()]));
    expect(partitionIds.get(three)).toEqual([0, 1, 2]);
    expect(partitionIds.get(six)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const topic of topics) for (const partition of topic.partitions) expect(partition.leader).toBeGreaterThanOrEqual(0);
    expect(await admin.listTopics()).toEqual(expect.arrayContaining([three, six]));

    const configs = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: six, configNames: ['cleanup.policy'] }], includeSynonyms: false });
    expect(configs.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue).toBe('compact');
  });

  it('refuses to auto-create a topic that was never created', async () => {
    const producer = track(testKafka({ retry: { retries: 1 } }).producer());
    await producer.connect();
    await expect(producer.send({ topic: uniqueTopic('missing'), messages: [{ value: 'x' }] })).rejects.toThrow();
  });

  it('produces and consumes keys, values, headers and timestamps exactly', async () => {
    const topic = uniqueTopic('roundtrip');
    await createTopic(topic, 3);
    const sent = [
      { key: 'alpha', value: 'one', timestamp: '1700000000001', headers: { 'trace-id': 'abc', source: 'test' } },
      { key: 'beta', value: 'two', timestamp: '1700000000002', headers: { 'trace-id': 'def' } },
      { key: 'alpha', value: 'three', timestamp: '1600000000000', headers: {} },
      // A tombstone: compacted changelogs delete keys with null values.
      { key: 'gamma', value: null, timestamp: '1700000000004', headers: { deleted: 'true' } },
      { key: 'delta', value: '{"json":true,"ü":"✓"}', timestamp: '1700000000005', headers: { 'content-type': 'application/json' } },
    ];
    const producer = track(testKafka().producer());
    await producer.connect();
    await producer.send({ topic, messages: sent });

    const { records } = await collect(topic);
    await waitFor(`${sent.length} records`, () => records.length >= sent.length);

    // Order holds per partition, and a key's records share a partition.
    const byValue = (a: { value: string | null }, b: { value: string | null }) => String(a.value).localeCompare(String(b.value));
    expect(records.map(({ key, value, timestamp, headers }) => ({ key, value, timestamp, headers })).sort(byValue)).toEqual(
      [...sent].sort(byValue),
    );
    expect(records).toHaveLength(sent.length);
    const alpha = records.filter((r) => r.key === 'alpha');
    expect(alpha.map((r) => r.value)).toEqual(['one', 'three']);
    expect(alpha[0]?.partition).toBe(alpha[1]?.partition);
  });

  it('round-trips binary keys and values byte for byte', async () => {
    const topic = uniqueTopic('binary');
    await createTopic(topic, 1);
    const value = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const key = Buffer.from([0, 255, 1, 254]);
    const producer = track(testKafka().producer());
    await producer.connect();
    await producer.send({ topic, messages: [{ key, value }] });

    const consumer = track(testKafka().consumer({ groupId: uniqueName('binary'), maxWaitTimeInMs: SHORT_POLL_MS }));
    const received: Array<{ key: Buffer | null; value: Buffer | null }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({ key: message.key, value: message.value });
      },
    });
    await waitFor('the binary record', () => received.length === 1);
    expect(received[0]?.key?.equals(key)).toBe(true);
    expect(received[0]?.value?.equals(value)).toBe(true);
  });

  it('shares partitions between two group members and gives all to the survivor when one leaves', async () => {
    const topic = uniqueTopic('shared');
    const partitions = [0, 1, 2, 3];
    await createTopic(topic, partitions.length);
    const groupId = uniqueName('group');

    /** The latest assignment each member received from a completed rebalance. */
    const assignment = new Map<string, number[]>();
    const consumedBy = new Map<string, Set<number>>();
    const member = async (name: string) => {
      const consumer = track(testKafka().consumer({ groupId, heartbeatInterval: 500, sessionTimeout: 10_000, maxWaitTimeInMs: SHORT_POLL_MS }));
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        assignment.set(name, [...(event.payload.memberAssignment[topic] ?? [])].sort());
      });
      consumedBy.set(name, new Set());
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition }) => {
          consumedBy.get(name)!.add(partition);
        },
      });
      return consumer;
    };
    const shared = () => {
      const a = assignment.get('a') ?? [];
      const b = assignment.get('b') ?? [];
      return a.length > 0 && b.length > 0 && [...a, ...b].sort().join() === partitions.join();
    };

    await member('a');
    await waitFor('member a to own every partition alone', () => assignment.get('a')?.join() === partitions.join());
    const b = await member('b');
    await waitFor('a and b to split the partitions', shared);
    const a = assignment.get('a')!;
    const bOwned = assignment.get('b')!;
    expect(a.filter((p) => bOwned.includes(p))).toEqual([]);

    // Each member reads exactly the partitions it was assigned.
    const producer = track(testKafka().producer());
    await producer.connect();
    await producer.send({ topic, messages: partitions.map((partition) => ({ partition, value: `p${partition}` })) });
    await waitFor('every partition to be consumed', () => consumedBy.get('a')!.size + consumedBy.get('b')!.size === partitions.length);
    expect([...consumedBy.get('a')!].sort()).toEqual(a);
    expect([...consumedBy.get('b')!].sort()).toEqual(bOwned);

    // b leaves the group (LeaveGroup on disconnect): a must take over everything.
    await b.disconnect();
    await waitFor('the survivor to own every partition', () => assignment.get('a')?.join() === partitions.join());
  });

  it('commits records and group offsets in one transaction and hides an aborted one from read_committed', async () => {
    const input = uniqueTopic('tx-in');
    const output = uniqueTopic('tx-out');
    await createTopic(input, 1);
    await createTopic(output, 2);
    const groupId = uniqueName('tx-group');

    const plain = track(testKafka().producer());
    await plain.connect();
    await plain.send({ topic: input, messages: ['i0', 'i1', 'i2', 'i3'].map((value) => ({ value })) });

    // What Weir's commit point needs: idempotence with one request in flight, and a transactional id.
    const producer = track(
      testKafka().producer({ idempotent: true, maxInFlightRequests: 1, transactionalId: uniqueName('tx-producer') }),
    );
    await producer.connect();

    const committed = await producer.transaction();
    await committed.send({ topic: output, messages: [{ key: 'k1', value: 'committed-1' }, { key: 'k2', value: 'committed-2' }] });
    await committed.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '2' }] }] });
    await committed.commit();

    const aborted = await producer.transaction();
    await aborted.send({ topic: output, messages: [{ key: 'k1', value: 'aborted-1' }, { key: 'k2', value: 'aborted-2' }] });
    await aborted.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '4' }] }] });
    await aborted.abort();

    // A committed marker after the aborted records: once a reader sees it, it has read past them.
    const marker = await producer.transaction();
    await marker.send({ topic: output, messages: [{ key: 'k1', value: 'marker-1' }, { key: 'k2', value: 'marker-2' }] });
    await marker.commit();

    const values = (records: SeenRecord[]) => records.map((r) => r.value).sort();
    const readCommitted = await collect(output);
    await waitFor('read_committed to reach both markers', () => values(readCommitted.records).filter((v) => v?.startsWith('marker')).length === 2);
    expect(values(readCommitted.records)).toEqual(['committed-1', 'committed-2', 'marker-1', 'marker-2']);

    // The aborted records are in the log: a read_uncommitted reader sees them.
    const readUncommitted = await collect(output, { readUncommitted: true });
    await waitFor('read_uncommitted to reach both markers', () => values(readUncommitted.records).filter((v) => v?.startsWith('marker')).length === 2);
    expect(values(readUncommitted.records)).toEqual(['aborted-1', 'aborted-2', 'committed-1', 'committed-2', 'marker-1', 'marker-2']);

    // The group's offsets are the first transaction's; the aborted sendOffsets left no trace.
    const offsets = await admin.fetchOffsets({ groupId, topics: [input] });
    expect(offsets).toEqual([{ topic: input, partitions: [{ partition: 0, offset: '2', metadata: null }] }]);
  });
});
