import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consumed, JoinWindows, Produced, Serdes, StreamsBuilder } from '@weir/core';
import { TestDriver } from '@weir/core/testing';
import { silentLogger, WeirApp } from '@weir/kafka';
import { parquetRowSerde, TableWriter } from '@weir/parquet';
import { describe, expect, it } from 'vitest';
import { backfilledUserClicks, parquetClicks, topicUserClicks } from './fixtures/parquet-source-topologies.mjs';
import { ChildApp } from './support/child-app.js';
import { seededRandom } from './support/datasets.js';
import { connectedAdmin, kafkaBrokers, uniqueName, uniqueTopic } from './support/kafka.js';
import { hasConsumedAll, readTopic, waitUntil } from './support/topics.js';
import { type Click, type Outputs, actual, clickColumns, clicks, countLine, finished, outputTopics, reference, script, windowedKeys, writeClicks } from './support/parquet-source.js';

describe('Parquet source on the runtime', () => {
  const connected = connectedAdmin();



  it('a topology over Parquet files in-process equals the TestDriver (and the same rows from a topic)', async () => {
    const rows = clicks(30_000, 3);
    const location = await writeClicks(rows, 12_000);
    const topics = await outputTopics(connected);
    const applicationId = uniqueName('psrc-inproc');
    const topology = parquetClicks({ location, ...topics });
    const app = new WeirApp(topology, { applicationId, brokers: kafkaBrokers(), stateDir: await mkdtemp(join(tmpdir(), 'weir-psrc-')), logger: silentLogger });
    await app.start({ handleSignals: false });
    await waitUntil('the source is read and processed', () => finished(connected.admin, applicationId, topology), 120_000);
    expect(app.metrics().tasks).toEqual(['0_0', '1_0']);
    await app.close();
    const expected = await reference(location, rows, topics);
    expect(expected.counts.length).toBeGreaterThan(100);
    const got = await actual(connected, topics);
    expect(got.mapped.length).toBe(expected.mapped.length);
    expect(got).toEqual(expected);
  });

  it('refuses to join a source stream with a topic of several partitions, naming both', async () => {
    const location = await writeClicks(clicks(10, 4), 10);
    const other = uniqueTopic('psrc-other');
    await connected.admin.createTopics({ topics: [{ topic: other, numPartitions: 4 }], waitForLeaders: true });
    const builder = new StreamsBuilder();
    const source = builder.parquetSource<string, Click>(location, { name: 'joined', keyColumns: ['user'], timestampColumn: 'ts' });
    const topic = builder.stream<string, string>(other, Consumed.with(Serdes.String(), Serdes.String()));
    source.join(topic, (a, b) => `${a.page}${b}`, JoinWindows.ofTimeDifferenceWithNoGrace(1_000)).to(uniqueTopic('psrc-joined'));
    const app = new WeirApp(builder.build(), { applicationId: uniqueName('psrc-join'), brokers: kafkaBrokers(), stateDir: await mkdtemp(join(tmpdir(), 'weir-psrc-')), logger: silentLogger });
    await expect(app.start({ handleSignals: false })).rejects.toThrow(
      `Invalid topology: external source "joined" (one task) is joined or merged with topic "${other}" (4 partitions), which must be co-partitioned with it: repartition that stream to 1 partition, or the source stream to 4`,
    );
  });

  /**
   * A split data set: `count` clicks produced to a topic of 3 partitions through kafkajs' default
   * partitioner (murmur2 of the key), the first 60 % of each partition archived to a Weir table
   * whose commit records where each partition's part ends, and the reference output of the whole
   * topic (one TestDriver per partition: each task has its own stream time).
   */
  async function splitDataSet(count: number, seed: number) {
    const input = uniqueTopic('psrc-live');
    const topics = await outputTopics(connected);
    await connected.admin.createTopics({ topics: [{ topic: input, numPartitions: 3 }], waitForLeaders: true });
    const rows = clicks(count, seed);
    const producer = connected.kafka.producer();
    await producer.connect();
    const serde = parquetRowSerde<Click>();
    for (let i = 0; i < rows.length; i += 5_000) {
      const messages = rows.slice(i, i + 5_000).map((c) => ({ key: c.user, value: Buffer.from(serde.serialize(input, c)!), timestamp: String(c.ts.getTime()) }));
      await producer.send({ topic: input, messages, acks: -1 });
    }
    await producer.disconnect();
    const inTopic = await readTopic(connected.kafka, connected.admin, input);
    const archive = await mkdtemp(join(tmpdir(), 'weir-psrc-archive-'));
    const writer = await TableWriter.open(archive, { schema: clickColumns });
    const archived: Click[] = [];
    const sources: Record<string, { from: string; to: string }> = {};
    for (const [partition, messages] of inTopic) {
      const cut = Math.floor(messages.length * 0.6);
      for (const m of messages.slice(0, cut)) archived.push(serde.deserialize(input, m.value ?? null) as Click);
      sources[`${input}:${partition}`] = { from: '0', to: messages[cut]!.offset };
    }
    await writer.write(archived, { sources });
    const expected: Outputs = { mapped: [], counts: [] };
    for (const messages of inTopic.values()) {
      const driver = new TestDriver(topicUserClicks({ input, ...topics }), { applicationId: 'reference' });
      const pipe = driver.createInputTopic(input, Serdes.String(), parquetRowSerde<Click>());
      for (const m of messages) pipe.pipeInput(m.key!.toString(), serde.deserialize(input, m.value ?? null), Number(m.timestamp));
      expected.mapped.push(...driver.createOutputTopic(topics.mapped, Serdes.String(), Serdes.String()).readKeyValuesToList().map(({ key, value }) => `${key}:${value}`));
      expected.counts.push(
        ...driver
          .createOutputTopic(topics.counts, windowedKeys, Serdes.Json<number>())
          .readKeyValuesToList()
          .map(({ key, value }) => countLine(key, value)),
      );
    }
    expected.mapped.sort();
    expected.counts.sort();
    return { input, topics, archive, expected };
  }

  it('backfill then live: a topic whose first part is archived gives the output of the whole topic, partition by partition', async () => {
    const { input, topics, archive, expected } = await splitDataSet(20_000, 6);
    const applicationId = uniqueName('psrc-backfill');
    const app = new WeirApp(backfilledUserClicks({ input, archive, ...topics }), {
      applicationId,
      brokers: kafkaBrokers(),
      stateDir: await mkdtemp(join(tmpdir(), 'weir-psrc-')),
      logger: silentLogger,
    });
    await app.start({ handleSignals: false });
    await waitUntil('the app read the archive and the topic', () => hasConsumedAll(connected.admin, applicationId, input), 120_000);
    await app.close();
    const got = await actual(connected, topics);
    expect(expected.counts.length).toBeGreaterThan(100);
    expect(new Set(got.mapped).size).toBe(got.mapped.length);
    expect(got).toEqual(expected);
  });

  it('backfill then live survives SIGKILL (at least one kill lands during the backfill): output of the whole topic, each record once', async () => {
    const { input, topics, archive, expected } = await splitDataSet(150_000, 8);
    const applicationId = uniqueName('psrc-backfill-kill');
    const child = new ChildApp({
      script,
      topology: 'backfilledUserClicks',
      topologyArgs: { input, archive, ...topics },
      applicationId,
      brokers: kafkaBrokers(),
      stateDir: await mkdtemp(join(tmpdir(), 'weir-psrc-bkill-')),
    });
    // What the tasks committed: offsets and metadata (backfill position or end) of each partition.
    const committed = async () => {
      const fetched = await connected.admin.fetchOffsets({ groupId: applicationId, topics: [input] }).catch(() => []);
      return JSON.stringify(fetched[0]?.partitions.map((p) => [p.offset, p.metadata]) ?? []);
    };
    const random = seededRandom(12);
    const states: string[] = [];
    for (let kills = 0; kills < 5; kills++) {
      child.start();
      const before = await committed();
      await waitUntil('the app committed progress', async () => (await committed()) !== before, 120_000, () => child.output.slice(-2000));
      await new Promise((resolve) => setTimeout(resolve, random() * 1_500));
      await child.kill();
      states.push(await committed());
    }
    // Kills landed during the backfill (a committed backfill position not yet ended).
    expect(states.some((state) => state.includes('\\"position\\"') && !state.includes('ended'))).toBe(true);
    child.start();
    await waitUntil('the app read the archive and the topic', () => hasConsumedAll(connected.admin, applicationId, input), 300_000, () => child.output.slice(-4000));
    await child.stop();
    const got = await actual(connected, topics);
    expect(new Set(got.mapped).size).toBe(got.mapped.length);
    expect(got.mapped.length).toBe(expected.mapped.length);
    expect(got).toEqual(expected);
  }, 600_000);

  it('joins a source with a repartitioned topic stream of 4 partitions: the repartition topic gets the source\'s one partition', async () => {
    const rows = clicks(2_000, 9);
    const location = await writeClicks(rows, 1_000);
    const profiles = uniqueTopic('psrc-profiles');
    const joined = uniqueTopic('psrc-joined');
    await connected.admin.createTopics({
      topics: [
        { topic: profiles, numPartitions: 4 },
        { topic: joined, numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    const producer = connected.kafka.producer();
    await producer.connect();
    const at = String(rows[0]!.ts.getTime());
    const messages = Array.from({ length: 50 }, (_, i) => ({ key: `profile-${i}`, value: JSON.stringify({ user: `u${i}`, name: `name-${i}` }), timestamp: at }));
    await producer.send({ topic: profiles, messages, acks: -1 });
    await producer.disconnect();
    const builder = new StreamsBuilder();
    const source = builder.parquetSource<string, Click>(location, { name: 'joined-clicks', keyColumns: ['user'], timestampColumn: 'ts' });
    const byUser = builder
      .stream(profiles, Consumed.with(Serdes.String(), Serdes.Json<{ user: string; name: string }>()))
      .selectKey((_id, profile) => profile.user);
    source
      .join(byUser, (click, profile) => `${click.n}|${profile.name}`, JoinWindows.ofTimeDifferenceAndGrace(7 * 86_400_000, 86_400_000))
      .to(joined, Produced.with(Serdes.String(), Serdes.String()));
    const applicationId = uniqueName('psrc-join-ok');
    const app = new WeirApp(builder.build(), { applicationId, brokers: kafkaBrokers(), stateDir: await mkdtemp(join(tmpdir(), 'weir-psrc-')), logger: silentLogger });
    await app.start({ handleSignals: false });
    const lines = async () =>
      [...(await readTopic(connected.kafka, connected.admin, joined)).values()]
        .flat()
        .map((m) => `${m.key?.toString()}:${m.value?.toString()}`)
        .sort();
    // Every click has exactly one profile (users u0..u49), whichever side arrives first.
    const expected = rows.map((c) => `${c.user}:${c.n}|name-${c.user.slice(1)}`).sort();
    await waitUntil('every click joined its profile', async () => (await lines()).length >= expected.length, 120_000);
    await app.close();
    const repartition = app.topology.internalTopics(applicationId).repartition;
    expect(repartition).toHaveLength(1);
    const partitions = await connected.admin.fetchTopicMetadata({ topics: [...repartition] });
    expect(partitions.topics.map((t) => t.partitions.length)).toEqual(partitions.topics.map(() => 1));
    expect(await lines()).toEqual(expected);
  });

});
