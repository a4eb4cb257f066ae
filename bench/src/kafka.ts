/**
 * What the benchmarks against a real broker share: the broker (started with @weir/testkit unless
 * KAFKA_BROKERS is set), offsets, a counting logger and the bare kafkajs consumer that every such
 * benchmark compares Weir with.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Topology } from '@weir/core';
import { type Logger, type ProcessingGuarantee, silentLogger, WeirApp } from '@weir/kafka';
import { type KafkaBroker, startKafka } from '@weir/testkit';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { collectGarbage, loadAverage, MiB, note, RssSampler, round } from './common.js';

/** A connected client for a benchmark, and how to let go of it. */
export interface BenchKafka {
  readonly brokers: string[];
  readonly kafka: Kafka;
  readonly admin: Admin;
  /** How the broker was found, for the results: `@weir/testkit Kafka 4.1.1, same machine` or `KAFKA_BROKERS=...`. */
  readonly description: string;
  /** The Kafka version of the broker this benchmark started; undefined when KAFKA_BROKERS named one. */
  readonly startedVersion: string | undefined;
  /** Disconnects, and stops the broker if this benchmark started it. */
  close(): Promise<void>;
}

/** Connects to `$KAFKA_BROKERS` (comma-separated), or starts a broker with @weir/testkit. */
export async function connectBenchKafka(clientId: string): Promise<BenchKafka> {
  let brokers = (process.env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  let broker: KafkaBroker | undefined;
  if (brokers.length === 0) {
    const started = Date.now();
    broker = await startKafka();
    brokers = broker.brokers;
    note(`started Kafka ${broker.version} on ${brokers.join(',')} in ${Date.now() - started} ms (log: ${broker.logFile})`);
  } else {
    note(`using KAFKA_BROKERS=${brokers.join(',')}`);
  }
  const kafka = new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  return {
    brokers,
    kafka,
    admin,
    description: broker ? `@weir/testkit Kafka ${broker.version}, same machine` : `KAFKA_BROKERS=${brokers.join(',')}`,
    startedVersion: broker?.version,
    async close() {
      await admin.disconnect();
      await broker?.stop();
    },
  };
}

/** Creates `topic` with `partitions` partitions and waits for their leaders. */
export async function createTopic(admin: Admin, topic: string, partitions: number): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
}

/** End offset of every partition of `topic`. */
export async function endOffsets(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  const ends = new Map<number, bigint>();
  for (const { partition, high } of await admin.fetchTopicOffsets(topic)) ends.set(partition, BigInt(high));
  return ends;
}

/** Whether group `groupId` committed at least `ends` on every partition of `topic`. */
export async function committedAll(admin: Admin, groupId: string, topic: string, ends: ReadonlyMap<number, bigint>): Promise<boolean> {
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  const byPartition = new Map(committed[0]?.partitions.map((p) => [p.partition, BigInt(p.offset)]) ?? []);
  return [...ends].every(([partition, end]) => end === 0n || (byPartition.get(partition) ?? -1n) >= end);
}

/** Silent (as `silentLogger`), but counts warnings and errors by message, so that rewinds show in the results. */
export function countingLogger(counts: Record<string, number>): Logger {
  const count = (message: string) => {
    counts[message] = (counts[message] ?? 0) + 1;
  };
  return { ...silentLogger, warn: count, error: count };
}

/** A WeirApp for one run, on a fresh temporary directory that `close()` removes. */
export interface FreshWeirApp {
  readonly app: WeirApp;
  readonly applicationId: string;
  /** The temporary directory: the state directory, or what holds it. */
  readonly dir: string;
  /** Warnings and errors the app logged, by message (see {@link countingLogger}). */
  readonly warnings: Record<string, number>;
  /** Closes the app and removes `dir`. */
  close(): Promise<void>;
}

/**
 * Creates a WeirApp for one run: `topology(dir)` on a fresh temporary directory `dir` (named
 * `<prefix>XXXXXX`), its state in `stateDir(dir)` (default `dir` itself), logging through a
 * {@link countingLogger}.
 */
export function freshWeirApp(
  prefix: string,
  topology: (dir: string) => Topology,
  config: {
    readonly applicationId: string;
    readonly brokers: readonly string[];
    readonly guarantee: ProcessingGuarantee;
    readonly commitIntervalMs: number;
    /** Where in `dir` the app keeps its state (default: `dir`). */
    readonly stateDir?: (dir: string) => string;
  },
): FreshWeirApp {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const warnings: Record<string, number> = {};
  const app = new WeirApp(topology(dir), {
    applicationId: config.applicationId,
    brokers: config.brokers,
    stateDir: config.stateDir?.(dir) ?? dir,
    processingGuarantee: config.guarantee,
    commitIntervalMs: config.commitIntervalMs,
    logger: countingLogger(warnings),
  });
  return {
    app,
    applicationId: config.applicationId,
    dir,
    warnings,
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Throws `<label> failed: <the app's error>` if `app` stopped on an error. */
export function throwIfFailed(app: WeirApp, label: string): void {
  if (app.state === 'ERROR') throw new Error(`${label} failed: ${app.error?.message ?? 'unknown error'}`);
}

/** What the bare consumer measured. */
export interface BareConsumerResult {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly peakRssMiB: number;
  readonly baselineRssMiB: number;
  readonly loadAverage: number;
}

/**
 * The ceiling every Weir run is compared with: a bare kafkajs `eachBatch` consumer in a new group
 * that touches each value, until every partition of `topic` reached `ends`.
 */
export async function runBareConsumer(kafka: Kafka, topic: string, ends: ReadonlyMap<number, bigint>, events: number): Promise<BareConsumerResult> {
  collectGarbage();
  const baseline = process.memoryUsage.rss();
  const rss = new RssSampler();
  const groupId = `bench-bare-${Date.now()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  const positions = new Map<number, bigint>();
  let bytes = 0;
  let count = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const started = performance.now();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        bytes += message.value?.byteLength ?? 0;
        count++;
      }
      if (batch.messages.length > 0) positions.set(batch.partition, BigInt(batch.lastOffset()) + 1n);
      if ([...ends].every(([p, end]) => (positions.get(p) ?? 0n) >= end)) finish();
    },
  });
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  const peak = rss.stop();
  if (count !== events) throw new Error(`bare consumer read ${count} events, expected ${events}`);
  note(`  bare consumer read ${count} events (${round(bytes / MiB, 1)} MiB of values)`);
  return {
    events,
    seconds: round(seconds, 2),
    eventsPerSecond: Math.round(events / seconds),
    peakRssMiB: Math.round(peak / MiB),
    baselineRssMiB: Math.round(baseline / MiB),
    loadAverage: loadAverage(),
  };
}

/**
 * How many records `topic` holds as a `read_committed` consumer sees them (aborted transactions
 * and transaction markers excluded): reads every partition to its end in a new group.
 */
export async function countCommittedRecords(kafka: Kafka, admin: Admin, topic: string): Promise<number> {
  const ends = await endOffsets(admin, topic);
  if ([...ends.values()].every((end) => end === 0n)) return 0;
  const consumer = kafka.consumer({ groupId: `bench-count-${Date.now()}-${Math.random()}`, readUncommitted: false, maxWaitTimeInMs: 100 });
  const positions = new Map<number, bigint>();
  let count = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const check = () => {
    if ([...ends].every(([p, end]) => end === 0n || (positions.get(p) ?? 0n) >= end)) finish();
  };
  // The batch's last offset includes control records (transaction markers), so it reaches the end.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    positions.set(payload.partition, BigInt(payload.lastOffset) + 1n);
    check();
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const end = ends.get(batch.partition) ?? 0n;
        for (const m of batch.messages) if (BigInt(m.offset) < end) count++;
      },
    });
    await finished;
  } finally {
    await consumer.disconnect();
  }
  return count;
}
