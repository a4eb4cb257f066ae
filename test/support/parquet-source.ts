/**
 * What the Parquet source integration tests share: click data written to Parquet files, output
 * topics, the TestDriver reference and the decoded actual output. Two test files use it, so that
 * the long SIGKILL test runs in a worker of its own.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Columns, type TableSchema } from '@weir/avro';
import { Serdes, type Topology, windowedSerde } from '@weir/core';
import { TestDriver } from '@weir/core/testing';
import { parquetRowSerde, writeParquetFile } from '@weir/parquet';
import type { Admin, KafkaMessage } from 'kafkajs';
import { expect } from 'vitest';
import { parquetClicks, topicClicks } from '../fixtures/parquet-source-topologies.mjs';
import { seededRandom } from './datasets.js';
import { uniqueTopic } from './kafka.js';
import { readTopic } from './topics.js';
import type { Kafka } from 'kafkajs';

export const OUTPUT_PARTITIONS = 3;
export const script = fileURLToPath(new URL('../fixtures/run-parquet-source-app.mjs', import.meta.url));

export const clickColumns: TableSchema = [Columns.string('user'), Columns.string('page'), Columns.int64('n'), Columns.timestampMillis('ts')];
export type Click = { user: string; page: string; n: bigint; ts: Date };

/** `count` clicks, 100 ms apart with some out of order (late ones among them), from a seeded generator (the same within one run). */
export function clicks(count: number, seed: number): Click[] {
  const random = seededRandom(seed);
  // Two days back, minute-aligned: the broker refuses timestamps more than an hour ahead of its clock.
  const start = Math.floor((Date.now() - 2 * 86_400_000) / 60_000) * 60_000;
  return Array.from({ length: count }, (_, i) => ({
    user: `u${Math.floor(random() * 50)}`,
    page: `/p${Math.floor(random() * 20)}`,
    n: BigInt(i),
    ts: new Date(start + i * 100 - (random() < 0.05 ? Math.floor(random() * 90_000) : 0)),
  }));
}

/** Writes the clicks into files of `perFile` rows (row groups of 5 000) under a new directory. */
export async function writeClicks(rows: readonly Click[], perFile: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-parquet-source-'));
  for (let i = 0; i * perFile < rows.length; i++) {
    const name = `part-${String(i).padStart(4, '0')}.parquet`;
    await writeParquetFile(join(dir, name), clickColumns, rows.slice(i * perFile, (i + 1) * perFile), { rowGroupSize: 5_000 });
  }
  return dir;
}

export interface Outputs {
  mapped: string[];
  counts: string[];
}

export const windowedKeys = windowedSerde(Serdes.String());
export const countLine = (key: { key: string; window: { start: number } }, count: number) => `${key.key}@${key.window.start}=${count}`;

/** The TestDriver's outputs of the Parquet topology, and (as a cross-check) of the topic topology fed the same rows. */
export async function reference(location: string, rows: readonly Click[], topics: { mapped: string; counts: string }): Promise<Outputs> {
  const read = (driver: TestDriver): Outputs => ({
    mapped: driver
      .createOutputTopic(topics.mapped, Serdes.String(), Serdes.String())
      .readKeyValuesToList()
      .map(({ key, value }) => `${key}:${value}`)
      .sort(),
    counts: driver
      .createOutputTopic(topics.counts, windowedKeys, Serdes.Json<number>())
      .readKeyValuesToList()
      .map(({ key, value }) => countLine(key, value))
      .sort(),
  });
  const fromFiles = new TestDriver(parquetClicks({ location, ...topics }), { applicationId: 'reference' });
  await fromFiles.runSources();
  const expected = read(fromFiles);
  const fromTopic = new TestDriver(topicClicks({ input: 'clicks', ...topics }), { applicationId: 'reference' });
  const input = fromTopic.createInputTopic('clicks', Serdes.String(), parquetRowSerde<Click>());
  for (const click of rows) input.pipeInput(click.user, click, click.ts.getTime());
  expect(read(fromTopic)).toEqual(expected);
  return expected;
}

export function decode(mapped: Map<number, KafkaMessage[]>, counts: Map<number, KafkaMessage[]>, topics: { mapped: string; counts: string }): Outputs {
  const all = (m: Map<number, KafkaMessage[]>) => [...m.values()].flat();
  return {
    mapped: all(mapped)
      .map((m) => `${m.key?.toString()}:${m.value?.toString()}`)
      .sort(),
    counts: all(counts)
      .map((m) => countLine(windowedKeys.deserialize(topics.counts, m.key ?? null)!, JSON.parse(m.value!.toString()) as number))
      .sort(),
  };
}

/** Whether the app committed the end of source `node` and its downstream tasks consumed what it produced. */
export async function finished(admin: Admin, applicationId: string, topology: Topology): Promise<boolean> {
  const internal = topology.internalTopics(applicationId);
  const positionTopic = internal.position[0]!;
  const [entry] = (await admin.fetchOffsets({ groupId: applicationId, topics: [positionTopic] }))[0]?.partitions ?? [];
  const metadata = entry?.metadata ? (JSON.parse(entry.metadata) as { sources?: Record<string, { ended?: boolean }> }) : undefined;
  if (!Object.values(metadata?.sources ?? {}).some((s) => s.ended)) return false;
  for (const topic of internal.repartition) if (!(await consumedTransactional(admin, applicationId, topic))) return false;
  return true;
}

/**
 * Whether group `groupId` consumed every record of `topic`, a topic written in transactions by
 * ONE producer (here the source task's, which writes every partition of its repartition topic):
 * each partition then ends with one commit marker, which a consumer never commits past, so
 * `end - 1` is the end. With several producers there is one marker per producer; wait for the
 * offset after the last record instead (read with `readPartitions`, as the demo does).
 */
export async function consumedTransactional(admin: Admin, groupId: string, topic: string): Promise<boolean> {
  const ends = await admin.fetchTopicOffsets(topic);
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  const byPartition = new Map(committed[0]?.partitions.map((p) => [p.partition, BigInt(p.offset)]) ?? []);
  return ends.every(({ partition, high }) => BigInt(high) === 0n || (byPartition.get(partition) ?? -1n) >= BigInt(high) - 1n);
}

export async function outputTopics(connected: { admin: Admin }): Promise<{ mapped: string; counts: string }> {
  const mapped = uniqueTopic('psrc-mapped');
  const counts = uniqueTopic('psrc-counts');
  await connected.admin.createTopics({
    topics: [
      { topic: mapped, numPartitions: OUTPUT_PARTITIONS },
      { topic: counts, numPartitions: OUTPUT_PARTITIONS },
    ],
    waitForLeaders: true,
  });
  return { mapped, counts };
}

export async function actual(connected: { kafka: Kafka; admin: Admin }, topics: { mapped: string; counts: string }): Promise<Outputs> {
  return decode(await readTopic(connected.kafka, connected.admin, topics.mapped), await readTopic(connected.kafka, connected.admin, topics.counts), topics);
}
