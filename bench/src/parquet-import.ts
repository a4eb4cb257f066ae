/**
 * `weir import` throughput: Parquet files into a Kafka topic, exactly once, measured end to end
 * by running the built CLI (`packages/cli/dist/cli.js`) as users do, against a real broker. The
 * reader alone (`readParquetRows` over the same files) is measured too, so that the cost of
 * reading and of producing can be told apart.
 *
 * Run alone: `node --expose-gc bench/dist/main.js --only=import [--quick]`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { emptyReadStats, listParquetSource, readParquetRows, writeParquetFile } from '@weir/parquet';
import { type BenchOptions, environment, loadAverage, MiB, note, positiveIntegerFromEnv, printTable, round, saveResult, seededRandom } from './common.js';
import { connectBenchKafka, createTopic } from './kafka.js';

const CLI = fileURLToPath(new URL('../../packages/cli/dist/cli.js', import.meta.url));
const PARTITIONS = 4;
const ROW_GROUP = 50_000;

/** One measured import (or read). */
export interface ImportResult {
  readonly name: string;
  readonly rows: number;
  /** Wall-clock seconds of the whole command: start-up, connecting, fencing, reading the position included. */
  readonly seconds: number;
  readonly rowsPerSecond: number;
  /** The command's own figure from its summary line (rows / its run time). */
  readonly reportedRowsPerSecond: number;
  readonly bytesProduced: number;
  readonly peakRssMiB: number;
  readonly loadAverage: number;
}

const SCHEMA: Parameters<typeof writeParquetFile>[1] = [
  { name: 'event_id', nullable: false, type: 'INT64' },
  { name: 'user', nullable: false, type: 'STRING' },
  { name: 'page', nullable: false, type: 'STRING' },
  { name: 'ts', nullable: false, type: 'TIMESTAMP_MILLIS' },
  { name: 'duration_ms', nullable: false, type: 'INT32' },
  { name: 'amount', nullable: true, type: 'DECIMAL', precision: 10, scale: 2 },
];

/** Clickstream-like rows in `files` files; returns the directory. */
async function writeDataset(rows: number, files: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'weir-bench-import-'));
  const random = seededRandom(42);
  const perFile = Math.ceil(rows / files);
  // An hour in the past: brokers refuse timestamps too far in the future.
  const base = Date.now() - 3_600_000 - rows;
  for (let f = 0; f < files; f++) {
    const count = Math.min(perFile, rows - f * perFile);
    const data = Array.from({ length: count }, (_, i) => {
      const id = f * perFile + i;
      return {
        event_id: BigInt(id),
        user: `user-${Math.floor(random() * 10_000)}`,
        page: `/products/${Math.floor(random() * 500)}`,
        ts: new Date(base + id),
        duration_ms: Math.floor(random() * 60_000),
        amount: random() < 0.1 ? `${Math.floor(random() * 1000)}.${String(Math.floor(random() * 100)).padStart(2, '0')}` : null,
      };
    });
    await writeParquetFile(join(dir, `part-${String(f).padStart(3, '0')}.parquet`), SCHEMA, data, { rowGroupSize: ROW_GROUP });
  }
  return dir;
}

/** Peak resident set of a child process, sampled from /proc (Linux; 0 elsewhere). */
function sampleRss(pid: number | undefined, peak: { bytes: number }): NodeJS.Timeout {
  const timer = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak.bytes = Math.max(peak.bytes, kb * 1024);
    } catch {
      // The process has exited.
    }
  }, 100);
  timer.unref();
  return timer;
}

async function runImport(name: string, args: readonly string[], rows: number): Promise<ImportResult> {
  const peak = { bytes: 0 };
  const started = performance.now();
  const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args, '--no-progress'], { maxBuffer: 64 * MiB }, (error, out, err) => {
      resolve({ stdout: out, stderr: err, code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1 });
    });
    const timer = sampleRss(child.pid, peak);
    child.once('exit', () => clearInterval(timer));
  });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`weir import exited ${code}: ${stderr}`);
  const summary = /^weir import: \d+ files?, (\d+) rows, \d+ bytes read, (\d+) bytes produced, [\d.]+ s \((\d+) rows\/s\)/.exec(stdout);
  if (summary === null) throw new Error(`unexpected summary: ${stdout}`);
  if (Number(summary[1]) !== rows) throw new Error(`imported ${summary[1]} rows, expected ${rows}`);
  return {
    name,
    rows,
    seconds: round(seconds, 2),
    rowsPerSecond: Math.round(rows / seconds),
    reportedRowsPerSecond: Number(summary[3]),
    bytesProduced: Number(summary[2]),
    peakRssMiB: round(peak.bytes / MiB, 1),
    loadAverage: loadAverage(),
  };
}

async function readOnly(dir: string, rows: number): Promise<ImportResult> {
  const started = performance.now();
  const listing = await listParquetSource(dir);
  const stats = emptyReadStats();
  let count = 0;
  for await (const batch of readParquetRows(listing, { stats })) count += batch.rows.length;
  const seconds = (performance.now() - started) / 1000;
  if (count !== rows) throw new Error(`read ${count} rows, expected ${rows}`);
  return {
    name: '(a) readParquetRows only, every column',
    rows,
    seconds: round(seconds, 2),
    rowsPerSecond: Math.round(rows / seconds),
    reportedRowsPerSecond: Math.round(rows / seconds),
    bytesProduced: 0,
    peakRssMiB: round(process.memoryUsage.rss() / MiB, 1),
    loadAverage: loadAverage(),
  };
}

/** Runs the import benchmark; prints a table and writes bench/results/parquet-import-<timestamp>.json. */
export async function runParquetImportBench(options: BenchOptions): Promise<void> {
  const rows = positiveIntegerFromEnv('WEIR_BENCH_IMPORT_ROWS', options.quick ? 100_000 : 1_000_000);
  const files = options.quick ? 4 : 10;
  const bench = await connectBenchKafka('weir-bench-import');
  const { admin, brokers } = bench;
  note(`writing ${rows} rows in ${files} Parquet files (row groups of ${ROW_GROUP})`);
  const dir = await writeDataset(rows, files);
  try {
    const results: ImportResult[] = [await readOnly(dir, rows)];
    note(`  ${results[0]!.rowsPerSecond} rows/s read`);
    const runId = Date.now();
    const runs: [string, string[]][] = [
      ['(b) weir import, JSON, key user, timestamp ts', ['--format', 'json', '--key', 'user', '--timestamp', 'ts']],
      ['(c) weir import, Avro, key user, timestamp ts', ['--format', 'avro', '--key', 'user', '--timestamp', 'ts']],
      ['(d) weir import, JSON, no key, 10k rows per transaction', ['--format', 'json', '--transaction-rows', '10000']],
    ];
    for (const [index, [name, extra]] of runs.entries()) {
      const topic = `bench-import-${runId}-${index}`;
      await createTopic(admin, topic, PARTITIONS);
      note(`running ${name}`);
      const result = await runImport(name, ['import', dir, '--topic', topic, '--brokers', brokers.join(','), '--position-topic', `bench-import-positions-${runId}`, ...extra], rows);
      note(`  ${result.rowsPerSecond} rows/s`);
      results.push(result);
    }
    printTable(
      `Parquet import: ${rows} rows (6 columns), ${files} files, into ${PARTITIONS} partitions, exactly once`,
      results.map((r) => ({
        run: r.name,
        seconds: r.seconds,
        'rows/s': r.rowsPerSecond,
        'rows/s (summary)': r.reportedRowsPerSecond,
        'MiB produced': round(r.bytesProduced / MiB, 1),
        'peak RSS MiB': r.peakRssMiB,
        load: r.loadAverage,
      })),
    );
    saveResult(options, 'parquet-import', () => ({
      environment: environment(),
      broker: bench.startedVersion ? `@weir/testkit Kafka ${bench.startedVersion}` : brokers,
      rows,
      files,
      results,
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await bench.close();
  }
}
