/**
 * Runtime benchmark: WeirApp against a real broker.
 *
 * Starts a broker with @weir/testkit (unless KAFKA_BROKERS is set), creates an input topic with 4
 * partitions and produces N small JSON click events; then, in the same run, measures events per
 * second of:
 *   (a) a bare kafkajs `eachBatch` consumer reading the topic (the ceiling),
 *   (b) stateless filter + mapValues to an output topic, exactly_once,
 *   (c) the same, at_least_once,
 *   (d) a windowed count (tumbling 1 min, grace 10 s), exactly_once,
 *   (e) the same, at_least_once.
 * Each Weir run has a fresh application id and state directory and is timed from `start()` until
 * its consumer group has committed the end offsets of every input partition.
 */
import { performance } from 'node:perf_hooks';
import { Consumed, Produced, Serdes, StreamsBuilder, TimeWindows, type Topology, windowedSerde } from '@weir/core';
import type { ProcessingGuarantee } from '@weir/kafka';
import type { Admin, Kafka } from 'kafkajs';
import {
  type BenchOptions,
  collectGarbage,
  loadAverage,
  MiB,
  note,
  pollUntil,
  positiveIntegerFromEnv,
  printTable,
  resultHeader,
  RssSampler,
  round,
  runIfMain,
  saveResult,
  seededRandom,
} from './common.js';
import { committedAll, connectBenchKafka, createTopic, endOffsets, freshWeirApp, runBareConsumer, throwIfFailed } from './kafka.js';

const PARTITIONS = 4;
const USERS = 10_000;
const PAGES = ['/', '/search', '/product', '/cart', '/checkout', '/account', '/help', '/health'];
/** Commit interval of every Weir run: exactly-once's default, and the same for at-least-once so that only the guarantee differs. */
const COMMIT_INTERVAL_MS = 100;
/** Longest a single run may take before the benchmark gives up on it. */
const RUN_TIMEOUT_MS = 15 * 60_000;

/** A click event, as produced to the input topic. */
interface Click {
  readonly user: string;
  readonly page: string;
  readonly ms: number;
}

/** What one run measured. */
export interface RuntimeResult {
  readonly name: string;
  readonly guarantee: ProcessingGuarantee | 'none';
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** eventsPerSecond / the bare consumer's. */
  readonly ratioToBare: number;
  /** Time `start()` took (connect, topics, group join); 0 for the bare consumer. */
  readonly startSeconds: number;
  /** Time until every event was processed (Weir) or read (bare), from start. */
  readonly processedSeconds: number;
  readonly peakRssMiB: number;
  readonly baselineRssMiB: number;
  readonly commits: number;
  readonly commitMsMax: number;
  /** Records processed beyond the input: work redone after a failed commit rewound a task. */
  readonly reprocessed: number;
  /** Warnings the app logged (e.g. "commit failed; discarding the task and rewinding"), by message. */
  readonly warnings: Readonly<Record<string, number>>;
  /** 1-minute load average when the run ended. */
  readonly loadAverage: number;
}

function statelessTopology(input: string, output: string): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream(input, Consumed.with(Serdes.String(), Serdes.Json<Click>()))
    .filter((_user, click) => click.page !== '/health')
    .mapValues((click) => ({ user: click.user, page: click.page.toUpperCase(), ms: click.ms }))
    .to(output, Produced.with(Serdes.String(), Serdes.Json<Click>()));
  return builder.build();
}

function windowedCountTopology(input: string, output: string): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream(input, Consumed.with(Serdes.String(), Serdes.Json<Click>()))
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000))
    .count()
    .toStream()
    .to(output, Produced.with(windowedSerde(Serdes.String()), Serdes.Json<number>()));
  return builder.build();
}

/**
 * Produces `events` clicks keyed by user, user `u` to partition `u % 4`. Timestamps are spread
 * evenly over the hour that ended an hour ago: recent enough for the broker's retention, never
 * ahead of its clock, and in order within each partition (so the windowed count drops nothing).
 */
async function produceClicks(kafka: Kafka, topic: string, events: number): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const random = seededRandom(7);
  const start = Math.floor((Date.now() - 2 * 3_600_000) / 60_000) * 60_000;
  const step = 3_600_000 / events;
  // Small sends, one in flight per partition: kafkajs groups a send's messages per partition in
  // quadratic time, so one huge send is much slower than many small ones; and one send at a time
  // per partition keeps each partition in timestamp order.
  const chunk = 1_000;
  const started = performance.now();
  try {
    for (let i = 0; i < events; i += chunk * PARTITIONS) {
      const perPartition: Array<Array<{ key: string; value: string; timestamp: string; partition: number }>> = Array.from(
        { length: PARTITIONS },
        () => [],
      );
      for (let j = i; j < Math.min(events, i + chunk * PARTITIONS); j++) {
        const u = Math.floor(random() * USERS);
        const user = `user-${u}`;
        const ms = start + Math.floor(j * step);
        const click: Click = { user, page: PAGES[Math.floor(random() * PAGES.length)]!, ms };
        perPartition[u % PARTITIONS]!.push({ key: user, value: JSON.stringify(click), timestamp: String(ms), partition: u % PARTITIONS });
      }
      await Promise.all(perPartition.filter((m) => m.length > 0).map((messages) => producer.send({ topic, acks: -1, messages })));
    }
  } finally {
    await producer.disconnect();
  }
  return (performance.now() - started) / 1000;
}

/** (b)-(e) One WeirApp run on a fresh application id, state directory and output topic. */
async function runWeir(
  name: string,
  build: (input: string, output: string) => Topology,
  guarantee: ProcessingGuarantee,
  brokers: readonly string[],
  admin: Admin,
  input: string,
  ends: ReadonlyMap<number, bigint>,
  events: number,
  runId: string,
): Promise<Omit<RuntimeResult, 'ratioToBare'>> {
  const slug = `${name.slice(1, 2)}-${guarantee.replace('_', '-')}-${runId}`;
  const output = `bench-out-${slug}`;
  await createTopic(admin, output, PARTITIONS);
  const run = freshWeirApp('weir-bench-runtime-', () => build(input, output), {
    applicationId: `bench-${slug}`,
    brokers,
    guarantee,
    commitIntervalMs: COMMIT_INTERVAL_MS,
  });
  const { app, warnings } = run;
  collectGarbage();
  const baseline = process.memoryUsage.rss();
  const rss = new RssSampler();
  let processedSeconds: number | undefined;
  const started = performance.now();
  try {
    await app.start({ handleSignals: false });
    const startSeconds = (performance.now() - started) / 1000;
    await pollUntil(
      () => {
        if (processedSeconds === undefined && app.metrics().recordsProcessed >= events) {
          processedSeconds = (performance.now() - started) / 1000;
        }
        return committedAll(admin, run.applicationId, input, ends);
      },
      {
        deadline: started + RUN_TIMEOUT_MS,
        timeout: `${name} did not commit the end offsets within ${RUN_TIMEOUT_MS} ms`,
        failed: () => throwIfFailed(app, name),
      },
    );
    const seconds = (performance.now() - started) / 1000;
    const metrics = app.metrics();
    const peak = rss.stop();
    note(`  ${name}: processed ${metrics.recordsProcessed}, dropped ${JSON.stringify(metrics.recordsDropped)}, tasks ${metrics.tasks.join(' ')}`);
    return {
      name,
      guarantee,
      events,
      seconds: round(seconds, 2),
      eventsPerSecond: Math.round(events / seconds),
      processedSeconds: round(processedSeconds ?? seconds, 2),
      startSeconds: round(startSeconds, 2),
      peakRssMiB: Math.round(peak / MiB),
      baselineRssMiB: Math.round(baseline / MiB),
      commits: metrics.commits,
      commitMsMax: metrics.commitLatencyMs.max,
      reprocessed: metrics.recordsProcessed - events,
      warnings,
      loadAverage: loadAverage(),
    };
  } finally {
    rss.stop();
    await run.close();
  }
}

/** Runs the runtime benchmark; prints a table and writes bench/results/runtime-<timestamp>.json. */
export async function runRuntimeBench(options: BenchOptions): Promise<void> {
  const events = positiveIntegerFromEnv('WEIR_BENCH_EVENTS', options.quick ? 100_000 : 500_000);
  const bench = await connectBenchKafka('weir-bench');
  const { kafka, admin, brokers } = bench;
  try {
    const runId = `${Date.now()}`;
    const input = `bench-clicks-${runId}`;
    await createTopic(admin, input, PARTITIONS);
    note(`producing ${events} events to ${input} (${PARTITIONS} partitions)${options.quick ? ' (quick)' : ''}`);
    const produceSeconds = await produceClicks(kafka, input, events);
    const ends = await endOffsets(admin, input);
    const total = [...ends.values()].reduce((a, b) => a + b, 0n);
    if (total !== BigInt(events)) throw new Error(`input topic holds ${total} records, expected ${events}`);
    note(`produced in ${round(produceSeconds, 1)} s (${Math.round(events / produceSeconds)} events/s)`);

    note('running (a) bare consumer');
    const bareRun = await runBareConsumer(kafka, input, ends, events);
    const bare: Omit<RuntimeResult, 'ratioToBare'> = {
      ...bareRun,
      name: '(a) bare kafkajs eachBatch consumer',
      guarantee: 'none',
      processedSeconds: bareRun.seconds,
      startSeconds: 0,
      commits: 0,
      commitMsMax: 0,
      reprocessed: 0,
      warnings: {},
    };
    const runs: Array<Omit<RuntimeResult, 'ratioToBare'>> = [bare];
    const weirRuns: Array<[string, (i: string, o: string) => Topology, ProcessingGuarantee]> = [
      ['(b) stateless filter+map', statelessTopology, 'exactly_once'],
      ['(c) stateless filter+map', statelessTopology, 'at_least_once'],
      ['(d) windowed count 1 min', windowedCountTopology, 'exactly_once'],
      ['(e) windowed count 1 min', windowedCountTopology, 'at_least_once'],
    ];
    for (const [name, build, guarantee] of weirRuns) {
      note(`running ${name}, ${guarantee}`);
      const result = await runWeir(name, build, guarantee, brokers, admin, input, ends, events, runId);
      note(`  ${result.eventsPerSecond} events/s`);
      runs.push(result);
    }
    const results: RuntimeResult[] = runs.map((r) => ({ ...r, ratioToBare: round(r.eventsPerSecond / bare.eventsPerSecond, 3) }));
    printTable(
      `Runtime: ${events} click events, ${PARTITIONS} partitions, one instance, commit interval ${COMMIT_INTERVAL_MS} ms`,
      results.map((r) => ({
        run: r.name,
        guarantee: r.guarantee,
        'events/s': r.eventsPerSecond,
        'vs bare': r.ratioToBare,
        'to committed s': r.seconds,
        'of which start()': r.startSeconds,
        'to processed s': r.processedSeconds,
        commits: r.commits,
        'max commit ms': r.commitMsMax,
        reprocessed: r.reprocessed,
        'load avg': r.loadAverage,
        'RSS before MiB': r.baselineRssMiB,
        'peak RSS MiB': r.peakRssMiB,
      })),
    );
    saveResult(options, 'runtime', () => ({
      ...resultHeader('runtime', options, bench.description),
      workload: {
        events,
        partitions: PARTITIONS,
        users: USERS,
        commitIntervalMs: COMMIT_INTERVAL_MS,
        produceSeconds: round(produceSeconds, 2),
        timing: 'Weir runs: from start() until the group committed the end offsets of every input partition',
      },
      results,
    }));
  } finally {
    await bench.close();
  }
}

await runIfMain(import.meta.url, runRuntimeBench);
