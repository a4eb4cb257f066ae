import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadLetterTopic, silentLogger, WeirApp, WeirConfigError } from '@weir/kafka';
import { startKafka } from '@weir/testkit';
import { type Admin, Kafka as KafkaClient, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { Consumed, Serdes, type StateBackendFactory, StreamsBuilder } from '@weir/core';
import { LmdbStateBackendFactory } from '@weir/state';
import { parseAndMap, windowedCount } from './fixtures/topologies.mjs';
import { ChildApp } from './support/child-app.js';
import { outOfOrderWorkload } from './support/datasets.js';
import { actualWindowedCounts, expectedWindowedCounts } from './support/expected.js';
import { connectedAdmin, kafkaBrokers, uniqueName, uniqueTopic } from './support/kafka.js';
import { hasConsumedAll, produceRecords, readTopic, waitUntil } from './support/topics.js';

const PARTITIONS = 4;

/** A message key, value or header as text (`undefined` when absent). */
function text(bytes: Buffer | string | (Buffer | string)[] | null | undefined): string | undefined {
  if (bytes === null || bytes === undefined) return undefined;
  return Array.isArray(bytes) ? bytes.map(String).join(',') : bytes.toString();
}

async function createTopics(admin: Admin, names: string[], partitions = PARTITIONS): Promise<void> {
  await admin.createTopics({ topics: names.map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true });
}

/** How many records of `topic` group `groupId` has committed, over all partitions. */
async function committedRecords(admin: Admin, groupId: string, topic: string): Promise<number> {
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (committed[0]?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

describe('runtime under faults', () => {
  const connected = connectedAdmin();

  it('two instances share the work; one is killed; the survivor restores its tasks and the output is exact', async () => {
    const input = uniqueTopic('two-in');
    const output = uniqueTopic('two-out');
    await createTopics(connected.admin, [input, output]);
    const records = outOfOrderWorkload({ count: 60_000, keys: 500, partitions: PARTITIONS, seed: 3 });
    await produceRecords(connected.kafka, input, records);
    const applicationId = uniqueName('two-instances');
    const options = { topology: 'windowedCount' as const, topologyArgs: { input, output }, applicationId, brokers: kafkaBrokers() };
    const first = new ChildApp({ ...options, stateDir: await mkdtemp(join(tmpdir(), 'weir-a-')) });
    const second = new ChildApp({ ...options, stateDir: await mkdtemp(join(tmpdir(), 'weir-b-')) });
    first.start();
    second.start();
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    await first.kill();
    await waitUntil('the survivor consumed the input', () => hasConsumedAll(connected.admin, applicationId, input), 240_000, () =>
      second.output.slice(-3000),
    );
    await second.stop();
    const expected = expectedWindowedCounts(() => windowedCount({ input, output }), input, output, records);
    expect(actualWindowedCounts(await readTopic(connected.kafka, connected.admin, output), output)).toEqual(expected);
  }, 400_000);

  it('fences a zombie: an instance paused until its tasks moved cannot commit when it resumes; the output is exact', async () => {
    const input = uniqueTopic('zombie-in');
    const output = uniqueTopic('zombie-out');
    await createTopics(connected.admin, [input, output]);
    const records = outOfOrderWorkload({ count: 60_000, keys: 500, partitions: PARTITIONS, seed: 5 });
    await produceRecords(connected.kafka, input, records);
    const applicationId = uniqueName('zombie');
    const options = { topology: 'windowedCount' as const, topologyArgs: { input, output }, applicationId, brokers: kafkaBrokers() };
    const zombie = new ChildApp({ ...options, stateDir: await mkdtemp(join(tmpdir(), 'weir-zombie-')) });
    const healthy = new ChildApp({ ...options, stateDir: await mkdtemp(join(tmpdir(), 'weir-healthy-')) });
    zombie.start();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    zombie.pause();
    healthy.start();
    // Past the 6 s session timeout: the group evicts the zombie and the healthy instance takes all tasks.
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    zombie.resume();
    await waitUntil('the input is consumed', () => hasConsumedAll(connected.admin, applicationId, input), 240_000, () => healthy.output.slice(-3000));
    await zombie.stop();
    await healthy.stop();
    const expected = expectedWindowedCounts(() => windowedCount({ input, output }), input, output, records);
    expect(actualWindowedCounts(await readTopic(connected.kafka, connected.admin, output), output)).toEqual(expected);
  }, 400_000);

  it('malformed records go to the dead-letter topic with their bytes; good ones are processed exactly once', async () => {
    const input = uniqueTopic('dlq-in');
    const output = uniqueTopic('dlq-out');
    const dlq = uniqueTopic('dlq');
    await createTopics(connected.admin, [input, output, dlq], 2);
    const producer = connected.kafka.producer();
    await producer.connect();
    const good = Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ page: `/p${i}` }), partition: i % 2 }));
    const bad = [
      { key: 'bad-1', value: '{not json', partition: 0, headers: { trace: 'abc' } },
      { key: 'bad-2', value: Buffer.from([0xff, 0xfe, 0x00]), partition: 1 },
    ];
    await producer.send({ topic: input, messages: [...good.slice(0, 100), bad[0]!, ...good.slice(100), bad[1]!] });
    await producer.disconnect();
    const applicationId = uniqueName('dlq-app');
    const app = new WeirApp(parseAndMap({ input, output }), {
      applicationId,
      brokers: kafkaBrokers(),
      stateDir: await mkdtemp(join(tmpdir(), 'weir-dlq-')),
      logger: silentLogger,
      deserializationErrorHandler: deadLetterTopic(dlq),
    });
    await app.start({ handleSignals: false });
    await waitUntil('the app consumed its input', () => hasConsumedAll(connected.admin, applicationId, input), 120_000);
    expect(app.metrics().recordsDropped.error).toBe(2);
    await app.close();
    const out = [...(await readTopic(connected.kafka, connected.admin, output)).values()].flat();
    expect(out.map((m) => text(m.key)).sort()).toEqual(good.map((g) => g.key).sort());
    expect(text(out.find((m) => text(m.key) === 'k7')?.value)).toBe(JSON.stringify({ page: '/P7' }));
    const dead = [...(await readTopic(connected.kafka, connected.admin, dlq)).values()].flat();
    expect(dead).toHaveLength(2);
    const first = dead.find((m) => text(m.key) === 'bad-1');
    expect(text(first?.value)).toBe('{not json');
    expect(text(first?.headers?.trace)).toBe('abc');
    expect(text(first?.headers?.['weir.source.topic'])).toBe(input);
    expect(text(first?.headers?.['weir.source.partition'])).toBe('0');
    expect(text(first?.headers?.['weir.source.offset'])).toBe('50');
    expect(text(first?.headers?.['weir.error.message'])).toMatch(/JSON/);
    const second = dead.find((m) => text(m.key) === 'bad-2');
    expect([...(second?.value ?? [])]).toEqual([0xff, 0xfe, 0x00]);
  });

  it('stops in state ERROR, naming the record, when a processor throws and the handler says fail', async () => {
    const input = uniqueTopic('boom-in');
    await createTopics(connected.admin, [input], 1);
    const builder = new StreamsBuilder();
    builder
      .stream(input, Consumed.with(Serdes.String(), Serdes.String()))
      .mapValues((value) => {
        if (value === 'poison') throw new Error('cannot digest poison');
        return value;
      })
      .to(uniqueTopic('boom-out'));
    const app = new WeirApp(builder.build(), {
      applicationId: uniqueName('boom'),
      brokers: kafkaBrokers(),
      stateDir: await mkdtemp(join(tmpdir(), 'weir-boom-')),
      logger: silentLogger,
    });
    const states: string[] = [];
    app.state$.subscribe((state) => states.push(state));
    await app.start({ handleSignals: false });
    const producer = connected.kafka.producer();
    await producer.connect();
    await producer.send({ topic: input, messages: [{ key: 'k', value: 'poison' }] });
    await producer.disconnect();
    await waitUntil('the app failed', async () => app.state === 'ERROR', 60_000);
    await app.close();
    expect(states.at(-1)).toBe('ERROR');
    expect(app.error?.message).toMatch(new RegExp(`processing of ${input}-0@0 failed: .*cannot digest poison`));
  });

  it('reports configuration errors clearly at start', async () => {
    expect(() => new WeirApp(parseAndMap({ input: 'a', output: 'b' }), { applicationId: '', brokers: kafkaBrokers() })).toThrow(
      /applicationId is required/,
    );
    const missing = new WeirApp(parseAndMap({ input: uniqueTopic('nope'), output: 'x' }), {
      applicationId: uniqueName('missing'),
      brokers: kafkaBrokers(),
      logger: silentLogger,
    });
    await expect(missing.start({ handleSignals: false })).rejects.toThrow(/source topic "nope-.*" does not exist/);
    expect(missing.state).toBe('ERROR');
    const unreachable = new WeirApp(parseAndMap({ input: 'a', output: 'b' }), {
      applicationId: uniqueName('unreachable'),
      brokers: ['127.0.0.1:1'],
      connectTimeoutMs: 3_000,
      logger: silentLogger,
    });
    const error = await unreachable.start({ handleSignals: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeirConfigError);
    expect((error as Error).message).toMatch(/cannot reach Kafka brokers 127\.0\.0\.1:1 within 3000 ms/);
  });

  it('a task whose restore loses the brokers is opened again after recovery; the output is exact', async () => {
    const input = uniqueTopic('reopen-in');
    const output = uniqueTopic('reopen-out');
    await createTopics(connected.admin, [input, output]);
    const records = outOfOrderWorkload({ count: 10_000, keys: 100, partitions: PARTITIONS, seed: 13 });
    await produceRecords(connected.kafka, input, records);
    // Real LMDB state, but the first restore of task 0_0 fails as it does when the brokers go away
    // in the middle of it (kafkajs's connection error): the task is then half-open.
    const lmdb = new LmdbStateBackendFactory({ stateDir: await mkdtemp(join(tmpdir(), 'weir-reopen-')) });
    let failures = 0;
    const stateBackend: StateBackendFactory = {
      open: (taskId, stores, fingerprint) => {
        const backend = lmdb.open(taskId, stores, fingerprint);
        if (taskId !== '0_0' || failures > 0) return backend;
        failures++;
        return {
          store: (name) => backend.store(name),
          commit: (commit) => backend.commit(commit),
          checkpoint: () => {
            throw Object.assign(new Error('Connection error: connect ECONNREFUSED (injected)'), { name: 'KafkaJSConnectionError' });
          },
          close: () => backend.close(),
        };
      },
    };
    const applicationId = uniqueName('reopen');
    const app = new WeirApp(windowedCount({ input, output }), { applicationId, brokers: kafkaBrokers(), stateBackend, logger: silentLogger });
    await app.start({ handleSignals: false });
    await waitUntil('the app consumed its input', () => hasConsumedAll(connected.admin, applicationId, input), 120_000, () => `${app.state} ${app.error?.message ?? ''}`);
    await app.close();
    expect(failures).toBe(1);
    expect(app.error).toBeUndefined();
    const expected = expectedWindowedCounts(() => windowedCount({ input, output }), input, output, records);
    expect(actualWindowedCounts(await readTopic(connected.kafka, connected.admin, output), output)).toEqual(expected);
  }, 200_000);

  it('recovers from a broker restart without manual action; the output is exact', async () => {
    // A broker of its own: restarting the run's shared broker would disturb other tests.
    const broker = await startKafka();
    const client = new KafkaClient({ clientId: 'restart-test', brokers: broker.brokers, logLevel: logLevel.NOTHING });
    const ownAdmin = client.admin();
    try {
      await ownAdmin.connect();
      const input = uniqueTopic('restart-in');
      const output = uniqueTopic('restart-out');
      await createTopics(ownAdmin, [input, output]);
      const records = outOfOrderWorkload({ count: 150_000, keys: 300, partitions: PARTITIONS, seed: 11 });
      await produceRecords(client, input, records);
      const applicationId = uniqueName('broker-restart');
      const child = new ChildApp({
        topology: 'windowedCount',
        topologyArgs: { input, output },
        applicationId,
        brokers: broker.brokers,
        stateDir: await mkdtemp(join(tmpdir(), 'weir-restart-')),
      });
      child.start();
      // Restart while the app is mid-way: some of the input committed, not all of it.
      await waitUntil('the app committed part of its input', async () => (await committedRecords(ownAdmin, applicationId, input)) > 0, 120_000, () =>
        child.output.slice(-3000),
      );
      await ownAdmin.disconnect();
      await broker.restart();
      await ownAdmin.connect();
      await waitUntil('the app consumed its input after the restart', () => hasConsumedAll(ownAdmin, applicationId, input), 240_000, () =>
        child.output.slice(-3000),
      );
      await child.stop();
      const expected = expectedWindowedCounts(() => windowedCount({ input, output }), input, output, records);
      expect(actualWindowedCounts(await readTopic(client, ownAdmin, output), output)).toEqual(expected);
    } finally {
      await ownAdmin.disconnect().catch(() => {});
      await broker.stop();
    }
  }, 400_000);
});
