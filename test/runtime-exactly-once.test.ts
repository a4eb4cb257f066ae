import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReadOnlyWindowStore, ValueAndTimestamp } from '@weir/core';
import { WeirApp, silentLogger } from '@weir/kafka';
import { describe, expect, it } from 'vitest';
import { windowedCount } from './fixtures/topologies.mjs';
import { ChildApp } from './support/child-app.js';
import { outOfOrderWorkload, seededRandom } from './support/datasets.js';
import { actualWindowedCounts, expectedWindowedCounts } from './support/expected.js';
import { connectedAdmin, kafkaBrokers, uniqueName, uniqueTopic } from './support/kafka.js';
import { hasConsumedAll, produceRecords, readTopic, waitUntil } from './support/topics.js';

const PARTITIONS = 4;

/** What one sorted list lacks and has extra compared with another (first 20 of each, for readable failures). */
function difference(actual: string[], expected: string[]): { missing: string[]; unexpected: string[] } {
  const have = new Set(actual);
  const want = new Set(expected);
  return {
    missing: expected.filter((line) => !have.has(line)).slice(0, 20),
    unexpected: actual.filter((line) => !want.has(line)).slice(0, 20),
  };
}

describe('exactly-once runtime', () => {
  const connected = connectedAdmin();

  async function topics(): Promise<{ input: string; output: string }> {
    const input = uniqueTopic('eos-in');
    const output = uniqueTopic('eos-out');
    await connected.admin.createTopics({
      topics: [
        { topic: input, numPartitions: PARTITIONS },
        { topic: output, numPartitions: PARTITIONS },
      ],
      waitForLeaders: true,
    });
    return { input, output };
  }

  it('a windowed count in-process equals the TestDriver, record for record', async () => {
    const { input, output } = await topics();
    const records = outOfOrderWorkload({ count: 20_000, keys: 200, partitions: PARTITIONS, seed: 7 });
    await produceRecords(connected.kafka, input, records);
    const applicationId = uniqueName('eos-inproc');
    const app = new WeirApp(windowedCount({ input, output }), {
      applicationId,
      brokers: kafkaBrokers(),
      stateDir: await mkdtemp(join(tmpdir(), 'weir-eos-')),
      logger: silentLogger,
    });
    await app.start({ handleSignals: false });
    await waitUntil('the app consumed its input', () => hasConsumedAll(connected.admin, applicationId, input), 120_000);
    const expected = expectedWindowedCounts(() => windowedCount({ input, output }), input, output, records);
    // Interactive query of the committed window store: windows still retained agree with the output.
    const store = app.queryStore([...app.topology.stores.keys()][0]!) as ReadOnlyWindowStore<string, ValueAndTimestamp<number>>;
    const finalCounts = new Map(expected.map((line) => [line.slice(0, line.lastIndexOf('=')), line]));
    const retained = [...store.all()].map(({ key, value }) => `${key.key}@${key.window.start}=${value.value}`);
    const closedAndRetained = retained.filter((line) => finalCounts.has(line.slice(0, line.lastIndexOf('='))));
    expect(closedAndRetained.length).toBeGreaterThan(0);
    expect(closedAndRetained).toEqual(closedAndRetained.map((line) => finalCounts.get(line.slice(0, line.lastIndexOf('=')))));
    await app.close();
    const actual = actualWindowedCounts(await readTopic(connected.kafka, connected.admin, output), output);
    expect(expected.length).toBeGreaterThan(100);
    expect(app.metrics().recordsDropped.late).toBeGreaterThan(0);
    expect(actual).toEqual(expected);
  });

  it('at-least-once mode without faults also equals the TestDriver', async () => {
    const { input, output } = await topics();
    const records = outOfOrderWorkload({ count: 10_000, keys: 100, partitions: PARTITIONS, seed: 8 });
    await produceRecords(connected.kafka, input, records);
    const applicationId = uniqueName('alos');
    const app = new WeirApp(windowedCount({ input, output }), {
      applicationId,
      brokers: kafkaBrokers(),
      stateDir: await mkdtemp(join(tmpdir(), 'weir-alos-')),
      processingGuarantee: 'at_least_once',
      commitIntervalMs: 200,
      logger: silentLogger,
    });
    const states: string[] = [];
    app.state$.subscribe((state) => states.push(state));
    await app.start({ handleSignals: false });
    await waitUntil('the app consumed its input', () => hasConsumedAll(connected.admin, applicationId, input), 120_000);
    expect(app.metrics().recordsProcessed).toBe(records.length);
    await app.close();
    expect(states).toEqual(['CREATED', 'REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'NOT_RUNNING']);
    const expected = expectedWindowedCounts(() => windowedCount({ input, output }), input, output, records);
    expect(actualWindowedCounts(await readTopic(connected.kafka, connected.admin, output), output)).toEqual(expected);
  });

  it('survives SIGKILL at random moments: the output equals the TestDriver, no duplicate, none missing', async () => {
    const { input, output } = await topics();
    const records = outOfOrderWorkload({ count: 200_000, keys: 1_000, partitions: PARTITIONS, seed: 42 });
    await produceRecords(connected.kafka, input, records);
    const applicationId = uniqueName('eos-kill');
    const stateDir = await mkdtemp(join(tmpdir(), 'weir-eos-kill-'));
    const child = new ChildApp({
      topology: 'windowedCount',
      topologyArgs: { input, output },
      applicationId,
      brokers: kafkaBrokers(),
      stateDir,
    });
    const random = seededRandom(99);
    let kills = 0;
    for (; kills < 5; kills++) {
      child.start();
      await new Promise((resolve) => setTimeout(resolve, 3_000 + random() * 5_000));
      await child.kill();
    }
    child.start();
    await waitUntil('the restarted app consumed its input', () => hasConsumedAll(connected.admin, applicationId, input), 240_000, () =>
      child.output.slice(-4000),
    );
    await child.stop();
    const expected = expectedWindowedCounts(() => windowedCount({ input, output }), input, output, records);
    const actual = actualWindowedCounts(await readTopic(connected.kafka, connected.admin, output), output);
    expect(kills).toBeGreaterThanOrEqual(5);
    expect(new Set(actual).size).toBe(actual.length);
    expect(difference(actual, expected)).toEqual({ missing: [], unexpected: [] });
    expect(actual).toEqual(expected);
  }, 600_000);
});
