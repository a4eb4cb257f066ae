import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consumed, Materialized, Serdes, StreamsBuilder, TimeWindows } from '@weir/core';
import { CommitMetadataTooLargeError, type Logger, RecordTooLargeError, silentLogger, WeirApp } from '@weir/kafka';
import { describe, expect, it } from 'vitest';
import { connectedAdmin, kafkaBrokers, uniqueName, uniqueTopic } from './support/kafka.js';
import { hasConsumedAll, produceRecords, readTopic, waitUntil } from './support/topics.js';

/** A logger that keeps the warnings, to prove that no commit failed and was retried. */
function warningsLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warnings, warn: (message: string) => warnings.push(message) };
}

describe('commits larger than one produce request', () => {
  const connected = connectedAdmin();

  it('commits megabytes of changelog records for one partition in one transaction; every key arrives once', async () => {
    const input = uniqueTopic('big-commit-in');
    const output = uniqueTopic('big-commit-out');
    await connected.admin.createTopics({ topics: [input, output].map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
    // 3,000 distinct keys with 4 KiB values: 12 MiB of changelog, far over the broker's 1 MiB
    // per record batch. With a 10 s commit interval one commit carries several MiB of it.
    const value = 'v'.repeat(4096);
    const records = Array.from({ length: 3_000 }, (_, i) => ({ key: `k${i}`, value, timestamp: Date.now(), partition: 0 }));
    await produceRecords(connected.kafka, input, records, 100);
    const builder = new StreamsBuilder();
    builder
      .stream(input, Consumed.with(Serdes.String(), Serdes.String()))
      .groupByKey()
      .reduce((_, latest) => latest)
      .toStream()
      .to(output);
    const applicationId = uniqueName('big-commit');
    const logger = warningsLogger();
    const app = new WeirApp(builder.build(), {
      applicationId,
      brokers: kafkaBrokers(),
      stateDir: await mkdtemp(join(tmpdir(), 'weir-big-commit-')),
      logger,
      commitIntervalMs: 10_000,
    });
    await app.start({ handleSignals: false });
    await waitUntil('the app consumed its input', () => hasConsumedAll(connected.admin, applicationId, input), 120_000);
    await app.close();
    expect(logger.warnings).toEqual([]);
    const out = [...(await readTopic(connected.kafka, connected.admin, output)).values()].flat();
    expect(out.map((m) => m.key?.toString()).sort()).toEqual(records.map((r) => r.key).sort());
    expect(out.every((m) => m.value?.toString() === value)).toBe(true);
  }, 180_000);

  it('stops in state ERROR naming the topic when a record is larger than the broker accepts', async () => {
    const input = uniqueTopic('huge-in');
    const output = uniqueTopic('huge-out');
    await connected.admin.createTopics({ topics: [input, output].map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
    const builder = new StreamsBuilder();
    builder
      .stream(input, Consumed.with(Serdes.String(), Serdes.String()))
      .mapValues((v) => v.repeat(2 * 1024 * 1024))
      .to(output);
    const app = new WeirApp(builder.build(), {
      applicationId: uniqueName('huge'),
      brokers: kafkaBrokers(),
      stateDir: await mkdtemp(join(tmpdir(), 'weir-huge-')),
      logger: silentLogger,
    });
    await app.start({ handleSignals: false });
    await produceRecords(connected.kafka, input, [{ key: 'k', value: 'x', timestamp: Date.now(), partition: 0 }]);
    await waitUntil('the app failed', async () => app.state === 'ERROR', 60_000);
    await app.close();
    expect(app.error).toBeInstanceOf(RecordTooLargeError);
    expect(app.error?.message).toMatch(new RegExp(`record of about \\d+ bytes for topic ${output}.* max\\.message\\.bytes`));
  }, 120_000);
  it('stops in state ERROR naming the size when the task metadata is larger than an offset commit may carry', async () => {
    const input = uniqueTopic('wide-in');
    await connected.admin.createTopics({ topics: [{ topic: input, numPartitions: 1 }], waitForLeaders: true });
    // 50 windowed counts in one sub-topology (LMDB allows 64 stores per task): each keeps its stream
    // time in the task metadata under its store's name (about 110 bytes each), over the broker's
    // default offset.metadata.max.bytes of 4096.
    const builder = new StreamsBuilder();
    const grouped = builder.stream(input, Consumed.with(Serdes.String(), Serdes.String())).groupByKey();
    for (let i = 0; i < 50; i++) {
      grouped
        .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
        .count(Materialized.as<string, number>(`a-windowed-count-whose-name-is-long-enough-to-fill-the-task-metadata-soon-${i}`).withLoggingDisabled());
    }
    const logger = warningsLogger();
    const app = new WeirApp(builder.build(), {
      applicationId: uniqueName('wide'),
      brokers: kafkaBrokers(),
      stateDir: await mkdtemp(join(tmpdir(), 'weir-wide-')),
      logger,
    });
    await app.start({ handleSignals: false });
    await produceRecords(connected.kafka, input, [{ key: 'k', value: 'x', timestamp: Date.now(), partition: 0 }]);
    await waitUntil('the app failed', async () => app.state === 'ERROR', 60_000);
    await app.close();
    expect(app.error).toBeInstanceOf(CommitMetadataTooLargeError);
    expect(app.error?.message).toMatch(/task 0_0: .*task metadata \(.*, \d{4,} bytes\).*offset\.metadata\.max\.bytes/);
    // Stopped at the first refusal, without rewinding and retrying.
    expect(logger.warnings.filter((w) => w.startsWith('commit failed'))).toEqual([]);
  }, 120_000);
});
