/**
 * Pipeline benchmark: the demo's windowed count into a Parquet table, end to end, against a real
 * broker, with each processing guarantee, beside a bare kafkajs consumer over the same topic.
 *
 * The pipeline is examples/clickstream's `page_views_per_minute`: page views (keyed by user) are
 * repartitioned by page and counted per 1-minute tumbling window (grace 10 s, emit-on-close) into a
 * Parquet table through the exactly-once sink, with the demo's roll policy.
 *
 * Two phases per guarantee, each on a fresh application id, state directory and table:
 *   1. Throughput: the demo's synthetic clickstream (N views over 30 min of event time) is in the
 *      topic before the app starts. Timed from `start()` until every view was processed by both
 *      sub-topologies and committed, and the table holds every record of the outbox topic (counted
 *      by a read_committed consumer).
 *   2. Latency: a live stream, produced while the app runs, in which event time passes 60 times
 *      faster than wall time (one 1-minute window closes every second). For each window, its
 *      close is the moment the producer's send that first carried a view at or after the window's
 *      end plus grace was acknowledged (from then on the input that closes the window is in Kafka);
 *      a row is visible when a `watchTable` poller (every 100 ms) first reads it from a committed
 *      file. Latency = visible - close, per row (page, window), as p50, p99 and max.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Consumed, Serdes, StreamsBuilder, type Topology } from '@weir/core';
import type { PageView } from '@weir/example-clickstream/generator';
import { generateClickstream } from '@weir/example-clickstream/generator';
import { produceClickstream } from '@weir/example-clickstream/produce';
import { PAGES_TABLE, pageViewsPerMinute, WINDOW_GRACE_MS } from '@weir/example-clickstream/topology';
import type { ProcessingGuarantee } from '@weir/kafka';
import { openTable, type RollPolicy, watchTable } from '@weir/parquet';
import {
  type BenchOptions,
  collectGarbage,
  directorySize,
  loadAverage,
  MiB,
  note,
  pollUntil,
  printTable,
  resultHeader,
  RssSampler,
  round,
  runIfMain,
  saveResult,
  sleep,
} from './common.js';
import {
  type BenchKafka,
  committedAll,
  connectBenchKafka,
  countCommittedRecords,
  createTopic,
  endOffsets,
  freshWeirApp,
  runBareConsumer,
  throwIfFailed,
} from './kafka.js';

const PARTITIONS = 4;
/** The demo's roll policy (examples/clickstream/src/topology.ts). */
const ROLL: RollPolicy = { rows: 100_000, intervalMs: 5_000 };
/** Event time per wall time in the latency phase: a 1-minute window closes every second. */
const SPEEDUP = 60;
const RUN_TIMEOUT_MS = 15 * 60_000;
/** How long the app must go without a commit to count as done (ten commit intervals). */
const QUIET_MS = 1_000;
/** Views per send in the latency phase: small, so that close times are precise. */
const LIVE_BATCH = 200;
const GUARANTEES: readonly ProcessingGuarantee[] = ['exactly_once', 'at_least_once'];

/** The demo's per-page windowed count alone (no sessions), from `input` into a table at `dir`. */
function pipelineTopology(input: string, dir: string): Topology {
  const builder = new StreamsBuilder();
  pageViewsPerMinute(builder.stream(input, Consumed.with(Serdes.String(), Serdes.Json<PageView>())), dir, ROLL);
  return builder.build();
}

/** What the throughput phase measured for one guarantee. */
interface ThroughputResult {
  readonly guarantee: ProcessingGuarantee;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly ratioToBare: number;
  readonly startSeconds: number;
  readonly commits: number;
  readonly droppedLate: number;
  readonly rows: number;
  /** Records in the outbox topic (read_committed): the table must hold exactly these. */
  readonly outboxRecords: number;
  readonly files: number;
  readonly tableMiB: number;
  readonly peakRssMiB: number;
  readonly warnings: Readonly<Record<string, number>>;
  readonly loadAverage: number;
}

/** What the latency phase measured for one guarantee. */
interface LatencyResult {
  readonly guarantee: ProcessingGuarantee;
  readonly events: number;
  readonly wallSeconds: number;
  readonly windowsClosed: number;
  readonly rowsMeasured: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly peakRssMiB: number;
  readonly loadAverage: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A Weir app on a fresh id, state directory and table; `close()` removes them. */
function freshApp(name: string, guarantee: ProcessingGuarantee, brokers: readonly string[], input: string) {
  const slug = `${name}-${guarantee.replace('_', '-')}-${Date.now()}`;
  const applicationId = `bench-pipeline-${slug}`;
  const tableDir = (dir: string) => join(dir, 'tables', PAGES_TABLE);
  const run = freshWeirApp('weir-bench-pipeline-', (dir) => pipelineTopology(input, tableDir(dir)), {
    applicationId,
    brokers,
    guarantee,
    // The same interval for both guarantees, so that only the guarantee differs.
    commitIntervalMs: 100,
    stateDir: (dir) => join(dir, 'state'),
  });
  return { ...run, tableDir: tableDir(run.dir), outbox: `${applicationId}-${PAGES_TABLE}-outbox` };
}

async function throughputRun(
  guarantee: ProcessingGuarantee,
  kafka: BenchKafka,
  input: string,
  ends: ReadonlyMap<number, bigint>,
  events: number,
  bareEventsPerSecond: number,
): Promise<ThroughputResult> {
  const run = freshApp('throughput', guarantee, kafka.brokers, input);
  collectGarbage();
  const rss = new RssSampler();
  const started = performance.now();
  const startedAt = Date.now();
  try {
    await run.app.start({ handleSignals: false });
    const startSeconds = (performance.now() - started) / 1000;
    const waitFor = (what: string, condition: () => Promise<boolean> | boolean) =>
      pollUntil(condition, {
        deadline: started + RUN_TIMEOUT_MS,
        timeout: `timed out waiting until ${what}`,
        failed: () => throwIfFailed(run.app, `throughput run ${guarantee}`),
        intervalMs: 100,
      });
    // Every view is processed twice: by its input task (grouping by page) and by its page's task.
    await waitFor('the app processed every view twice', () => run.app.metrics().recordsProcessed >= 2 * events);
    await waitFor('the app committed the input', () => committedAll(kafka.admin, run.applicationId, input, ends));
    // The app commits only when it has work: once no commit came for QUIET_MS (ten commit
    // intervals), every processed record's output, every emitted window among them, is in the
    // outbox. (Waiting for "one more commit" hung when the last one had already happened.)
    let lastCommits = -1;
    let quietSince = performance.now();
    await waitFor('the app went quiet', () => {
      const commits = run.app.metrics().commits;
      if (commits !== lastCommits) {
        lastCommits = commits;
        quietSince = performance.now();
      }
      return performance.now() - quietSince >= QUIET_MS;
    });
    const outboxRecords = await countCommittedRecords(kafka.kafka, kafka.admin, run.outbox);
    await waitFor('the table holds every outbox record', async () => (await openTable(run.tableDir).catch(() => undefined))?.count().then((n) => n >= outboxRecords) ?? false);
    const metrics = run.app.metrics();
    const table = await openTable(run.tableDir);
    // Timed to the table's last commit, not to when these checks noticed it.
    const lastCommitAt = table.history().at(-1)?.timestamp.getTime() ?? Date.now();
    const seconds = (lastCommitAt - startedAt) / 1000;
    return {
      guarantee,
      events,
      seconds: round(seconds, 2),
      eventsPerSecond: Math.round(events / seconds),
      ratioToBare: round(events / seconds / bareEventsPerSecond, 3),
      startSeconds: round(startSeconds, 2),
      commits: metrics.commits,
      droppedLate: metrics.recordsDropped.late,
      rows: await table.count(),
      outboxRecords,
      files: table.files().length,
      tableMiB: round(directorySize(run.tableDir).apparentBytes / MiB, 2),
      peakRssMiB: Math.round(rss.stop() / MiB),
      warnings: run.warnings,
      loadAverage: loadAverage(),
    };
  } finally {
    rss.stop();
    await run.close();
  }
}

async function latencyRun(
  guarantee: ProcessingGuarantee,
  kafka: BenchKafka,
  events: number,
  spanMs: number,
): Promise<LatencyResult> {
  const input = `bench-pipeline-live-${guarantee.replace('_', '-')}-${Date.now()}`;
  await createTopic(kafka.admin, input, PARTITIONS);
  const run = freshApp('latency', guarantee, kafka.brokers, input);
  // Event time ends a little before now, so that no timestamp is ahead of the broker's clock.
  const stream = generateClickstream({ endMs: Date.now() - 60_000, events, spanMs, lateShare: 0, outOfOrderShare: 0.05 });
  const visible = new Map<string, number>();
  const subscription = watchTable<{ page: string; window_end: Date }>(run.tableDir, { intervalMs: 100, afterVersion: -1, columns: ['page', 'window_end'] }).subscribe({
    next: (row) => {
      const key = `${row.page}@${row.window_end.getTime()}`;
      if (!visible.has(key)) visible.set(key, Date.now());
    },
  });
  collectGarbage();
  const rss = new RssSampler();
  // By window end: the wall time when the first view at or after its end + grace was in Kafka.
  const closeAt = new Map<number, number>();
  let latestSent = Number.NEGATIVE_INFINITY;
  try {
    await run.app.start({ handleSignals: false });
    const wallStart = performance.now();
    const wallEpoch = Date.now();
    await produceClickstream(kafka.kafka, stream, {
      topic: input,
      partitions: PARTITIONS,
      batchSize: LIVE_BATCH,
      pace: async (upTo) => {
        // Hold each send until its last view's event time is due on the sped-up clock.
        const due = (stream.timestamp[upTo - 1]! - stream.startMs) / SPEEDUP;
        const wait = due - (performance.now() - wallStart);
        if (wait > 0) await sleep(wait);
      },
      onProduced: (upTo) => {
        const now = Date.now();
        for (let i = Math.max(0, upTo - LIVE_BATCH); i < upTo; i++) latestSent = Math.max(latestSent, stream.timestamp[i]!);
        // Every window whose end + grace is now at or before the latest view sent is closed.
        const firstEnd = Math.ceil(stream.startMs / 60_000) * 60_000;
        for (let end = firstEnd; end + WINDOW_GRACE_MS <= latestSent; end += 60_000) if (!closeAt.has(end)) closeAt.set(end, now);
      },
    });
    const wallSeconds = (Date.now() - wallEpoch) / 1000;
    // Wait until every closed window's rows are visible (no new row for 3 roll intervals).
    let lastCount = -1;
    let stableSince = performance.now();
    for (;;) {
      throwIfFailed(run.app, `latency run ${guarantee}`);
      if (visible.size !== lastCount) {
        lastCount = visible.size;
        stableSince = performance.now();
      }
      if (performance.now() - stableSince > 3 * (ROLL.intervalMs ?? 5_000)) break;
      await sleep(200);
    }
    const latencies: number[] = [];
    for (const [key, at] of visible) {
      const end = Number(key.slice(key.lastIndexOf('@') + 1));
      const closed = closeAt.get(end);
      if (closed !== undefined) latencies.push(at - closed);
    }
    latencies.sort((a, b) => a - b);
    return {
      guarantee,
      events,
      wallSeconds: round(wallSeconds, 1),
      windowsClosed: closeAt.size,
      rowsMeasured: latencies.length,
      p50Ms: Math.round(percentile(latencies, 50)),
      p99Ms: Math.round(percentile(latencies, 99)),
      maxMs: Math.round(latencies.at(-1) ?? Number.NaN),
      peakRssMiB: Math.round(rss.stop() / MiB),
      loadAverage: loadAverage(),
    };
  } finally {
    subscription.unsubscribe();
    rss.stop();
    await run.close();
  }
}

/** Runs the pipeline benchmark; prints tables and writes bench/results/pipeline-<timestamp>.json. */
export async function runPipelineBench(options: BenchOptions): Promise<void> {
  const events = Number(process.env.WEIR_BENCH_EVENTS ?? (options.quick ? 100_000 : 500_000));
  const liveEvents = options.quick ? 20_000 : 60_000;
  const liveSpanMs = (options.quick ? 10 : 30) * 60_000;
  const bench = await connectBenchKafka('weir-bench-pipeline');
  try {
    const input = `bench-pipeline-${Date.now()}`;
    await createTopic(bench.admin, input, PARTITIONS);
    const stream = generateClickstream({ endMs: Date.now() - 10 * 60_000, events });
    note(`producing ${events} page views (the demo's generator, 30 min of event time) to ${input}`);
    const produceStarted = performance.now();
    await produceClickstream(bench.kafka, stream, { topic: input, partitions: PARTITIONS });
    note(`produced in ${round((performance.now() - produceStarted) / 1000, 1)} s`);
    const ends = await endOffsets(bench.admin, input);

    note('running the bare consumer');
    const bare = await runBareConsumer(bench.kafka, input, ends, events);
    const throughput: ThroughputResult[] = [];
    for (const guarantee of GUARANTEES) {
      note(`throughput: windowed count into Parquet, ${guarantee}`);
      throughput.push(await throughputRun(guarantee, bench, input, ends, events, bare.eventsPerSecond));
      note(`  ${throughput.at(-1)!.eventsPerSecond} events/s`);
    }
    const latency: LatencyResult[] = [];
    for (const guarantee of GUARANTEES) {
      note(`latency: ${liveEvents} live views over ${liveSpanMs / 60_000} min of event time at ${SPEEDUP}x, ${guarantee}`);
      latency.push(await latencyRun(guarantee, bench, liveEvents, liveSpanMs));
      note(`  p50 ${latency.at(-1)!.p50Ms} ms, p99 ${latency.at(-1)!.p99Ms} ms`);
    }
    printTable(`Pipeline throughput: ${events} page views, ${PARTITIONS} partitions, windowed count into Parquet, one instance`, [
      { run: 'bare kafkajs eachBatch consumer', 'events/s': bare.eventsPerSecond, 'vs bare': 1, seconds: bare.seconds, 'peak RSS MiB': bare.peakRssMiB, 'load avg': bare.loadAverage },
      ...throughput.map((r) => ({
        run: `windowed count → Parquet, ${r.guarantee}`,
        'events/s': r.eventsPerSecond,
        'vs bare': r.ratioToBare,
        seconds: r.seconds,
        'peak RSS MiB': r.peakRssMiB,
        'load avg': r.loadAverage,
      })),
    ]);
    printTable(
      'Pipeline table output (throughput runs)',
      throughput.map((r) => ({ guarantee: r.guarantee, rows: r.rows, files: r.files, 'table MiB': r.tableMiB, commits: r.commits, 'dropped late': r.droppedLate })),
    );
    printTable(
      `Window close → row visible in the table (live stream, event time ${SPEEDUP}x wall time, roll every ${ROLL.intervalMs} ms)`,
      latency.map((r) => ({
        guarantee: r.guarantee,
        views: r.events,
        'wall s': r.wallSeconds,
        windows: r.windowsClosed,
        rows: r.rowsMeasured,
        'p50 ms': r.p50Ms,
        'p99 ms': r.p99Ms,
        'max ms': r.maxMs,
        'peak RSS MiB': r.peakRssMiB,
        'load avg': r.loadAverage,
      })),
    );
    saveResult(options, 'pipeline', () => ({
      ...resultHeader('pipeline', options, bench.description),
      workload: {
        events,
        partitions: PARTITIONS,
        roll: ROLL,
        commitIntervalMs: 100,
        live: { events: liveEvents, spanMinutes: liveSpanMs / 60_000, speedup: SPEEDUP },
      },
      bare,
      throughput,
      latency,
    }));
  } finally {
    await bench.close();
  }
}

await runIfMain(import.meta.url, runPipelineBench);
