/**
 * Parquet source benchmark: rows per second of Parquet files read into a topology.
 *
 * Writes N click rows (user, page, ms as TIMESTAMP_MILLIS, a 40-character note column the
 * topology does not use) into 5 Parquet files (row groups of 50 000), then measures:
 *   (a) the file-reading layer alone (`readParquetRows` over the listing, the columns the
 *       source reads): the ceiling,
 *   (b) `builder.parquetSource(...)` -> stateless filter + mapValues -> an output topic (4
 *       partitions), exactly_once, one instance,
 *   (c) the same, at_least_once.
 * A Weir run is timed from `start()` until the source task has committed the end of the source
 * (the `ended` flag in its offset-commit metadata), so every output is committed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Columns, type TableSchema } from '@weir/avro';
import { Produced, Serdes, StreamsBuilder, type Topology } from '@weir/core';
import type { ProcessingGuarantee } from '@weir/kafka';
import { listParquetSource, readParquetRows, writeParquetFile } from '@weir/parquet';
import type { Admin } from 'kafkajs';
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
import { type BenchKafka, connectBenchKafka, countCommittedRecords, createTopic, freshWeirApp, throwIfFailed } from './kafka.js';

const FILES = 5;
const ROW_GROUP = 50_000;
const OUTPUT_PARTITIONS = 4;
const COMMIT_INTERVAL_MS = 100;
const RUN_TIMEOUT_MS = 15 * 60_000;
const PAGES = ['/', '/search', '/product', '/cart', '/checkout', '/account', '/help', '/health'];
const SOURCE_NAME = 'clicks';

const schema: TableSchema = [Columns.string('user'), Columns.string('page'), Columns.timestampMillis('ms'), Columns.string('note')];
interface Click {
  readonly user: string;
  readonly page: string;
  readonly ms: Date;
}

/** What one run measured. */
export interface ParquetSourceResult {
  readonly name: string;
  readonly guarantee: ProcessingGuarantee | 'none';
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly startSeconds: number;
  readonly outputRecords: number;
  readonly commits: number;
  readonly peakRssMiB: number;
  readonly loadAverage: number;
}

async function writeFiles(dir: string, rows: number): Promise<number> {
  const random = seededRandom(17);
  const start = Date.now() - 2 * 3_600_000;
  const perFile = Math.ceil(rows / FILES);
  const started = performance.now();
  for (let f = 0; f < FILES; f++) {
    const count = Math.min(perFile, rows - f * perFile);
    const data = Array.from({ length: count }, (_, i) => ({
      user: `user-${Math.floor(random() * 10_000)}`,
      page: PAGES[Math.floor(random() * PAGES.length)]!,
      ms: new Date(start + (f * perFile + i) * 5),
      note: `note ${Math.floor(random() * 1e9)} `.padEnd(40, 'x'),
    }));
    await writeParquetFile(join(dir, `part-${f}.parquet`), schema, data, { rowGroupSize: ROW_GROUP });
  }
  return (performance.now() - started) / 1000;
}

function statelessTopology(location: string, output: string): Topology {
  const builder = new StreamsBuilder();
  builder
    .parquetSource<string, Click>(location, { name: SOURCE_NAME, keyColumns: ['user'], timestampColumn: 'ms', columns: ['user', 'page', 'ms'] })
    .filter((_user, click) => click.page !== '/health')
    .mapValues((click) => ({ user: click.user, page: click.page.toUpperCase(), ms: click.ms.getTime() }))
    .to(output, Produced.with(Serdes.String(), Serdes.Json<{ user: string; page: string; ms: number }>()));
  return builder.build();
}

/** (a) The reader alone, the columns the source reads. */
async function runReader(location: string, rows: number): Promise<ParquetSourceResult> {
  collectGarbage();
  const rss = new RssSampler();
  const started = performance.now();
  let read = 0;
  const listing = await listParquetSource(location);
  for await (const batch of readParquetRows(listing, { columns: ['user', 'page', 'ms'], batchRows: 10_000 })) read += batch.rows.length;
  const seconds = (performance.now() - started) / 1000;
  if (read !== rows) throw new Error(`the reader returned ${read} rows, expected ${rows}`);
  return {
    name: '(a) readParquetRows alone',
    guarantee: 'none',
    rows,
    seconds: round(seconds, 2),
    rowsPerSecond: Math.round(rows / seconds),
    startSeconds: 0,
    outputRecords: 0,
    commits: 0,
    peakRssMiB: Math.round(rss.stop() / MiB),
    loadAverage: loadAverage(),
  };
}

/** Whether the app committed the end of its source. */
async function sourceEnded(admin: Admin, applicationId: string): Promise<boolean> {
  const topic = `${applicationId}-${SOURCE_NAME}-position`;
  const [entry] = (await admin.fetchOffsets({ groupId: applicationId, topics: [topic] }))[0]?.partitions ?? [];
  if (!entry?.metadata) return false;
  const metadata = JSON.parse(entry.metadata) as { sources?: Record<string, { ended?: boolean }> };
  return Object.values(metadata.sources ?? {}).some((s) => s.ended === true);
}

/** (b), (c) One WeirApp run on a fresh application id, state directory and output topic. */
async function runWeir(
  name: string,
  guarantee: ProcessingGuarantee,
  bench: BenchKafka,
  location: string,
  rows: number,
  runId: string,
): Promise<ParquetSourceResult> {
  const slug = `${guarantee.replace('_', '-')}-${runId}`;
  const output = `bench-psrc-out-${slug}`;
  await createTopic(bench.admin, output, OUTPUT_PARTITIONS);
  const run = freshWeirApp('weir-bench-psrc-', () => statelessTopology(location, output), {
    applicationId: `bench-psrc-${slug}`,
    brokers: bench.brokers,
    guarantee,
    commitIntervalMs: COMMIT_INTERVAL_MS,
  });
  const { app, warnings } = run;
  collectGarbage();
  const rss = new RssSampler();
  const started = performance.now();
  try {
    await app.start({ handleSignals: false });
    const startSeconds = (performance.now() - started) / 1000;
    await pollUntil(() => sourceEnded(bench.admin, run.applicationId), {
      deadline: started + RUN_TIMEOUT_MS,
      timeout: `${name} did not finish within ${RUN_TIMEOUT_MS} ms`,
      failed: () => throwIfFailed(app, name),
    });
    const seconds = (performance.now() - started) / 1000;
    const metrics = app.metrics();
    const peak = rss.stop();
    await app.close();
    const outputRecords = await countCommittedRecords(bench.kafka, bench.admin, output);
    note(`  ${name}: processed ${metrics.recordsProcessed}, output ${outputRecords}, warnings ${JSON.stringify(warnings)}`);
    return {
      name,
      guarantee,
      rows,
      seconds: round(seconds, 2),
      rowsPerSecond: Math.round(rows / seconds),
      startSeconds: round(startSeconds, 2),
      outputRecords,
      commits: metrics.commits,
      peakRssMiB: Math.round(peak / MiB),
      loadAverage: loadAverage(),
    };
  } finally {
    rss.stop();
    await run.close();
  }
}

/** Runs the Parquet source benchmark; prints a table and writes bench/results/parquet-source-<timestamp>.json. */
export async function runParquetSourceBench(options: BenchOptions): Promise<void> {
  const rows = positiveIntegerFromEnv('WEIR_BENCH_ROWS', options.quick ? 100_000 : 500_000);
  const location = mkdtempSync(join(tmpdir(), 'weir-bench-psrc-files-'));
  const bench = await connectBenchKafka('weir-bench-psrc');
  try {
    note(`writing ${rows} rows into ${FILES} Parquet files (row groups of ${ROW_GROUP})`);
    const writeSeconds = await writeFiles(location, rows);
    const runId = `${Date.now()}`;
    note('running (a) reader alone');
    const results = [await runReader(location, rows)];
    for (const [name, guarantee] of [
      ['(b) parquetSource -> filter+map -> topic', 'exactly_once'],
      ['(c) parquetSource -> filter+map -> topic', 'at_least_once'],
    ] as const) {
      note(`running ${name}, ${guarantee}`);
      const result = await runWeir(name, guarantee, bench, location, rows, runId);
      note(`  ${result.rowsPerSecond} rows/s`);
      results.push(result);
    }
    printTable(
      `Parquet source: ${rows} rows in ${FILES} files, one instance, commit interval ${COMMIT_INTERVAL_MS} ms`,
      results.map((r) => ({
        run: r.name,
        guarantee: r.guarantee,
        'rows/s': r.rowsPerSecond,
        'to committed s': r.seconds,
        'of which start()': r.startSeconds,
        'output records': r.outputRecords,
        commits: r.commits,
        'load avg': r.loadAverage,
        'peak RSS MiB': r.peakRssMiB,
      })),
    );
    saveResult(options, 'parquet-source', () => ({
      ...resultHeader('parquet-source', options, bench.description),
      workload: {
        rows,
        files: FILES,
        rowGroupRows: ROW_GROUP,
        outputPartitions: OUTPUT_PARTITIONS,
        commitIntervalMs: COMMIT_INTERVAL_MS,
        writeSeconds: round(writeSeconds, 2),
        timing: 'Weir runs: from start() until the source task committed the end of the source',
      },
      results,
    }));
  } finally {
    await bench.close();
    rmSync(location, { recursive: true, force: true });
  }
}

await runIfMain(import.meta.url, runParquetSourceBench);
