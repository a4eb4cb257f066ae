/**
 * Parquet sink benchmark, against a real broker (started with @weir/testkit unless KAFKA_BROKERS
 * is set), writing real files to a temp directory:
 *   (a) the sink alone: an outbox topic (4 partitions) is pre-filled with N windowed-count rows
 *       (windowed string key, Int64 count, the bytes the app itself would write), then a
 *       WeirSinkApp drains it into a table; timed from `start()` until the table's commit log
 *       covers the outbox's end offsets;
 *   (b) end to end: a windowed count (tumbling 1 min, grace 10 s, emit-final) exactly-once into
 *       a Parquet table inside the WeirApp; timed from `start()` until the table holds every row
 *       the count emits (the closed windows, computed from the generated input).
 * Both report files, rows per file, row groups per file (read from the files' footers by a full
 * scan) and bytes per file. `--quick` runs smaller workloads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Consumed, EmitStrategy, Serdes, StreamsBuilder, TimeWindows, type Topology } from '@weir/core';
import { silentLogger, WeirApp, WeirSinkApp } from '@weir/kafka';
import { openTable, type RollPolicy, windowedKeySerde } from '@weir/parquet';
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
import { connectBenchKafka, createTopic, endOffsets, throwIfFailed } from './kafka.js';

const PARTITIONS = 4;
const USERS = 10_000;
const SINK = 'counts';
/** Longest a run may take before the benchmark gives up on it. */
const RUN_TIMEOUT_MS = 15 * 60_000;
/**
 * The sink's roll policy in both runs: the defaults (100k rows, 128 MiB, 100k rows per row
 * group) except the wall-time roll, 1 s instead of 10 s, so that the last file of a run is not
 * timed waiting 10 s for its roll.
 */
const ROLL: RollPolicy = { intervalMs: 1_000 };

const keySerde = windowedKeySerde(Serdes.String());
const valueSerde = Serdes.Int64();

/** The sink under test, as a stream app's topology declares it (key, window_start, window_end, value). */
function sinkTopology(input: string, table: string): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream(input, Consumed.with(Serdes.String(), Serdes.String()))
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000))
    .emitStrategy(EmitStrategy.onWindowClose())
    .count()
    .toStream()
    .mapValues((n) => BigInt(n ?? 0))
    .toParquet(table, { name: SINK, keySerde, valueSerde, roll: ROLL });
  return builder.build();
}

/** What one run measured. */
export interface ParquetSinkResult {
  readonly name: string;
  /** Input events (end to end) or outbox rows (sink alone). */
  readonly records: number;
  readonly rows: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly rowsPerSecond: number;
  readonly files: number;
  readonly rowsPerFile: { readonly min: number; readonly mean: number; readonly max: number };
  readonly bytesPerFile: { readonly min: number; readonly mean: number; readonly max: number };
  readonly rowGroups: number;
  readonly rowGroupsPerFile: number;
  readonly rowsPerRowGroup: number;
  readonly tableBytes: number;
  readonly commits: number;
  readonly peakRssMiB: number;
  readonly loadAverage: number;
}

/** Whether the table's commit log covers `ends` of the outbox topic. */
async function tableCovers(dir: string, topic: string, ends: ReadonlyMap<number, bigint>): Promise<boolean> {
  let offsets: Record<string, string>;
  try {
    offsets = (await openTable(dir)).sourceOffsets();
  } catch {
    return false; // no commit yet
  }
  for (const [partition, end] of ends) {
    if (end === 0n) continue;
    if (BigInt(offsets[`${topic}:${partition}`] ?? '0') < end) return false;
  }
  return true;
}

/** Rows in the table's committed files (0 before the first commit), from the log alone. */
async function committedRows(dir: string): Promise<number> {
  try {
    return (await openTable(dir)).files().reduce((sum, f) => sum + f.rows, 0);
  } catch {
    return 0;
  }
}

function spread(values: number[]): { min: number; mean: number; max: number } {
  if (values.length === 0) return { min: 0, mean: 0, max: 0 };
  return { min: Math.min(...values), mean: Math.round(values.reduce((a, b) => a + b, 0) / values.length), max: Math.max(...values) };
}

/** File, row and row-group figures of a table; row groups counted from the footers by a full scan. */
async function describeTable(dir: string): Promise<Omit<ParquetSinkResult, 'name' | 'records' | 'seconds' | 'recordsPerSecond' | 'rowsPerSecond' | 'peakRssMiB' | 'loadAverage'>> {
  const table = await openTable(dir);
  const files = table.files();
  const scan = table.scan({ columns: ['key'] });
  let rows = 0;
  for await (const _ of scan) rows++;
  const rowGroups = scan.stats.rowGroupsRead;
  return {
    rows,
    files: files.length,
    rowsPerFile: spread(files.map((f) => f.rows)),
    bytesPerFile: spread(files.map((f) => f.bytes)),
    rowGroups,
    rowGroupsPerFile: round(rowGroups / Math.max(1, files.length), 2),
    rowsPerRowGroup: Math.round(rows / Math.max(1, rowGroups)),
    tableBytes: files.reduce((a, f) => a + f.bytes, 0),
    commits: table.version + 1,
  };
}

/** (a) Fills the outbox with `rows` windowed counts: user u's counts for consecutive minutes, partition u % 4. */
async function fillOutbox(kafka: Kafka, topic: string, rows: number): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const random = seededRandom(11);
  const start = Math.floor((Date.now() - 2 * 3_600_000) / 60_000) * 60_000;
  const chunk = 2_000;
  const started = performance.now();
  try {
    for (let i = 0; i < rows; i += chunk * PARTITIONS) {
      const perPartition = Array.from({ length: PARTITIONS }, () => [] as { key: Buffer; value: Buffer; timestamp: string; partition: number }[]);
      for (let j = i; j < Math.min(rows, i + chunk * PARTITIONS); j++) {
        const u = j % USERS;
        const windowStart = start + Math.floor(j / USERS) * 60_000;
        const key = keySerde.serialize(topic, { key: `user-${u}`, window: { start: windowStart, end: windowStart + 60_000 } })!;
        const value = valueSerde.serialize(topic, BigInt(1 + Math.floor(random() * 50)))!;
        perPartition[u % PARTITIONS]!.push({
          key: Buffer.from(key),
          value: Buffer.from(value),
          timestamp: String(windowStart + 59_999),
          partition: u % PARTITIONS,
        });
      }
      await Promise.all(perPartition.filter((m) => m.length > 0).map((messages) => producer.send({ topic, acks: -1, messages })));
    }
  } finally {
    await producer.disconnect();
  }
  return (performance.now() - started) / 1000;
}

async function runSinkAlone(kafka: Kafka, admin: Admin, brokers: readonly string[], rows: number, runId: string): Promise<ParquetSinkResult> {
  const applicationId = `bench-pq-sink-${runId}`;
  const outbox = `${applicationId}-${SINK}-outbox`;
  await createTopic(admin, outbox, PARTITIONS);
  note(`(a) filling ${outbox} with ${rows} windowed-count rows`);
  const fillSeconds = await fillOutbox(kafka, outbox, rows);
  note(`    filled in ${round(fillSeconds, 1)} s`);
  const ends = await endOffsets(admin, outbox);
  const table = mkdtempSync(join(tmpdir(), 'weir-bench-pq-sink-'));
  const sinks = new WeirSinkApp(sinkTopology(`bench-pq-unused-${runId}`, table), {
    applicationId,
    brokers,
    logger: silentLogger,
  });
  collectGarbage();
  const rss = new RssSampler();
  const started = performance.now();
  try {
    await sinks.start();
    await pollUntil(() => tableCovers(table, outbox, ends), {
      deadline: started + RUN_TIMEOUT_MS,
      timeout: `(a) the table did not cover the outbox within ${RUN_TIMEOUT_MS} ms`,
      failed: () => {
        if (sinks.error) throw new Error(`(a) sink failed: ${sinks.error.message}`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const peak = rss.stop();
    await sinks.close();
    const figures = await describeTable(table);
    if (figures.rows !== rows) throw new Error(`(a) the table holds ${figures.rows} rows, expected ${rows}`);
    return {
      name: '(a) sink alone (pre-filled outbox)',
      records: rows,
      seconds: round(seconds, 2),
      recordsPerSecond: Math.round(rows / seconds),
      rowsPerSecond: Math.round(rows / seconds),
      peakRssMiB: Math.round(peak / MiB),
      loadAverage: loadAverage(),
      ...figures,
    };
  } finally {
    rss.stop();
    await sinks.close().catch(() => {});
    rmSync(table, { recursive: true, force: true });
  }
}

/**
 * (b) Produces `events` keyed string events, in timestamp order per partition, over one hour.
 * @returns how many rows the emit-final count will write: the (user, window) pairs whose window
 *   closes (end + grace reached by its partition's stream time); the last windows stay open
 */
async function produceEvents(kafka: Kafka, topic: string, events: number): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const random = seededRandom(7);
  const start = Math.floor((Date.now() - 2 * 3_600_000) / 60_000) * 60_000;
  const step = 3_600_000 / events;
  const chunk = 1_000;
  const windows = Array.from({ length: PARTITIONS }, () => new Set<string>());
  const streamTime = Array.from({ length: PARTITIONS }, () => 0);
  try {
    for (let i = 0; i < events; i += chunk * PARTITIONS) {
      const perPartition = Array.from({ length: PARTITIONS }, () => [] as { key: string; value: string; timestamp: string; partition: number }[]);
      for (let j = i; j < Math.min(events, i + chunk * PARTITIONS); j++) {
        const u = Math.floor(random() * USERS);
        const ts = start + Math.floor(j * step);
        const p = u % PARTITIONS;
        windows[p]!.add(`${u}@${Math.floor(ts / 60_000) * 60_000}`);
        streamTime[p] = Math.max(streamTime[p]!, ts);
        perPartition[p]!.push({ key: `user-${u}`, value: '/', timestamp: String(ts), partition: p });
      }
      await Promise.all(perPartition.filter((m) => m.length > 0).map((messages) => producer.send({ topic, acks: -1, messages })));
    }
  } finally {
    await producer.disconnect();
  }
  let closed = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    for (const w of windows[p]!) if (Number(w.slice(w.indexOf('@') + 1)) + 60_000 + 10_000 <= streamTime[p]!) closed++;
  }
  return closed;
}

async function runEndToEnd(kafka: Kafka, admin: Admin, brokers: readonly string[], events: number, runId: string): Promise<ParquetSinkResult> {
  const input = `bench-pq-in-${runId}`;
  await createTopic(admin, input, PARTITIONS);
  note(`(b) producing ${events} events to ${input}`);
  const expectedRows = await produceEvents(kafka, input, events);
  note(`    the count will write ${expectedRows} rows (closed windows)`);
  const applicationId = `bench-pq-e2e-${runId}`;
  const table = mkdtempSync(join(tmpdir(), 'weir-bench-pq-e2e-'));
  const stateDir = mkdtempSync(join(tmpdir(), 'weir-bench-pq-state-'));
  const app = new WeirApp(sinkTopology(input, table), {
    applicationId,
    brokers,
    stateDir,
    processingGuarantee: 'exactly_once',
    logger: silentLogger,
  });
  collectGarbage();
  const rss = new RssSampler();
  const started = performance.now();
  try {
    await app.start({ handleSignals: false });
    // Not the outbox's end offsets: a transactional topic ends with a commit marker, which no
    // consumer position passes. The rows the count must write are known from the input.
    await pollUntil(async () => (await committedRows(table)) >= expectedRows, {
      deadline: started + RUN_TIMEOUT_MS,
      timeout: `(b) did not finish within ${RUN_TIMEOUT_MS} ms`,
      failed: () => throwIfFailed(app, '(b)'),
    });
    const seconds = (performance.now() - started) / 1000;
    const peak = rss.stop();
    await app.close();
    const figures = await describeTable(table);
    if (figures.rows !== expectedRows) throw new Error(`(b) the table holds ${figures.rows} rows, expected ${expectedRows}`);
    return {
      name: '(b) windowed count -> Parquet, exactly-once',
      records: events,
      seconds: round(seconds, 2),
      recordsPerSecond: Math.round(events / seconds),
      rowsPerSecond: Math.round(figures.rows / seconds),
      peakRssMiB: Math.round(peak / MiB),
      loadAverage: loadAverage(),
      ...figures,
    };
  } finally {
    rss.stop();
    await app.close().catch(() => {});
    rmSync(table, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Runs the Parquet sink benchmark; prints a table and writes bench/results/parquet-sink-<timestamp>.json. */
export async function runParquetSinkBench(options: BenchOptions): Promise<void> {
  const rows = positiveIntegerFromEnv('WEIR_BENCH_SINK_ROWS', options.quick ? 200_000 : 1_000_000);
  const events = positiveIntegerFromEnv('WEIR_BENCH_EVENTS', options.quick ? 100_000 : 500_000);
  const bench = await connectBenchKafka('weir-bench-parquet');
  const { kafka, admin, brokers } = bench;
  try {
    const runId = `${Date.now()}`;
    const loadBefore = loadAverage();
    const results = [await runSinkAlone(kafka, admin, brokers, rows, runId), await runEndToEnd(kafka, admin, brokers, events, runId)];
    printTable(
      `Parquet sink: ${PARTITIONS} outbox partitions, SNAPPY, roll ${JSON.stringify(ROLL)} (else defaults), load average before ${loadBefore}`,
      results.map((r) => ({
        run: r.name,
        records: r.records,
        'records/s': r.recordsPerSecond,
        rows: r.rows,
        'rows/s': r.rowsPerSecond,
        seconds: r.seconds,
        files: r.files,
        'rows/file (mean)': r.rowsPerFile.mean,
        'row groups/file': r.rowGroupsPerFile,
        'rows/row group': r.rowsPerRowGroup,
        'KiB/file (mean)': round(r.bytesPerFile.mean / 1024, 1),
        'KiB/file (max)': round(r.bytesPerFile.max / 1024, 1),
        commits: r.commits,
        'peak RSS MiB': r.peakRssMiB,
        'load avg': r.loadAverage,
      })),
    );
    saveResult(options, 'parquet-sink', () => ({
      ...resultHeader('parquet-sink', options, bench.startedVersion ? `testkit Kafka ${bench.startedVersion}` : bench.description),
      workload: {
        partitions: PARTITIONS,
        users: USERS,
        sinkAloneRows: rows,
        endToEndEvents: events,
        roll: ROLL,
        timing: '(a) from WeirSinkApp.start() until the commit log covers the outbox end offsets; (b) from WeirApp.start() until the table holds every closed window',
        loadAverageBefore: loadBefore,
      },
      results,
    }));
  } finally {
    await bench.close();
  }
}

await runIfMain(import.meta.url, runParquetSinkBench);
