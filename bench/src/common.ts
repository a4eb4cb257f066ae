import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Options shared by every benchmark, read from the command line. */
export interface BenchOptions {
  /** `--quick`: smaller workloads, for a smoke run (default false). */
  readonly quick: boolean;
  /** `--only=<name>[,<name>]`: run these benchmarks (default: all). */
  readonly only: readonly string[] | undefined;
  /** `--no-write`: print only, write no JSON (default false: write bench/results/*.json). */
  readonly write: boolean;
}

/**
 * Parses `--quick`, `--only=<name>[,<name>]` and `--no-write`; throws on anything else (and on an
 * unknown benchmark name), so a typo is not silently ignored.
 * @param names - the benchmarks `--only` may name (default: any)
 */
export function parseOptions(argv: readonly string[], names?: readonly string[]): BenchOptions {
  let quick = false;
  let only: string[] | undefined;
  let write = true;
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--no-write') write = false;
    else if (arg.startsWith('--only=')) {
      only = arg.slice('--only='.length).split(',');
      const unknown = names ? only.filter((n) => !names.includes(n)) : [];
      if (unknown.length > 0) throw new Error(`unknown benchmark "${unknown[0]}" in ${arg}: expected one of ${names!.join(', ')}`);
    } else throw new Error(`unknown argument "${arg}": expected --quick, --only=<${names ? names.join('|') : 'name'}> or --no-write`);
  }
  return { quick, only, write };
}

/** Whether the module at `url` is the script node was started with. */
export function isMain(url: string): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(script).href === url;
}

/**
 * Runs `bench` with the command line's options when the module at `url` is the script node was
 * started with (`node bench/dist/runtime.js --quick`); does nothing when it is imported.
 */
export async function runIfMain(url: string, bench: (options: BenchOptions) => Promise<unknown>): Promise<void> {
  if (isMain(url)) await bench(parseOptions(process.argv.slice(2)));
}

/**
 * A workload size from the environment variable `name`, else `fallback`.
 * @throws Error if the variable is set to anything but a positive integer
 */
export function positiveIntegerFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!(Number.isInteger(value) && value > 0)) throw new Error(`${name} must be a positive integer, got ${process.env[name]}`);
  return value;
}

/** bench/results, next to bench/src and bench/dist. */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** A file-name-safe UTC timestamp, e.g. `2026-11-26T01-02-03Z`. */
export function fileTimestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
}

/** What machine and runtime produced a result. */
export function environment(): Record<string, unknown> {
  const cores = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cores.length,
    cpuModel: cores[0]?.model ?? 'unknown',
    totalMemoryMiB: Math.round(totalmem() / 2 ** 20),
    // Figures from a machine shared with other work are only comparable at similar load.
    loadAverage1m: round(loadavg()[0] ?? 0, 1),
  };
}

/** The 1-minute load average, to show how busy the machine was around a measurement. */
export function loadAverage(): number {
  return round(loadavg()[0] ?? 0, 1);
}

/** Writes `data` as JSON to bench/results/<name>-<timestamp>.json and returns the path. */
export function writeResult(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}-${fileTimestamp()}.json`);
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}

/**
 * What every result file begins with: the benchmark's name, the machine ({@link environment}),
 * whether the run was `--quick`, and the broker it ran against, if any.
 */
export function resultHeader(benchmark: string, options: BenchOptions, broker?: string): Record<string, unknown> {
  const header = { benchmark, environment: environment(), quick: options.quick };
  return broker === undefined ? header : { ...header, broker };
}

/**
 * Unless `--no-write` was given, writes `data()` as bench/results/<name>-<timestamp>.json and notes
 * the path. `data` is a function so that nothing of the result (e.g. `environment()`) is taken
 * when nothing is written.
 */
export function saveResult(options: BenchOptions, name: string, data: () => unknown): void {
  if (!options.write) return;
  note(`wrote ${writeResult(name, data())}`);
}

/** Prints rows as an aligned text table (numbers right-aligned). */
export function printTable(title: string, rows: ReadonlyArray<Record<string, string | number>>): void {
  process.stdout.write(`\n${title}\n`);
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const cell = (v: string | number | undefined) => (v === undefined ? '' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: Array<string | number | undefined>, numeric: boolean[]) =>
    values.map((v, i) => (numeric[i] ? cell(v).padStart(widths[i]!) : cell(v).padEnd(widths[i]!))).join('  ');
  const numeric = columns.map((c) => rows.every((r) => typeof r[c] === 'number'));
  process.stdout.write(`${line(columns, numeric.map(() => false))}\n`);
  process.stdout.write(`${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of rows) process.stdout.write(`${line(columns.map((c) => row[c]), numeric)}\n`);
}

/** Progress and notes go to stderr, so stdout carries only the tables. */
export function note(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** A deterministic pseudo-random generator (mulberry32), so runs see the same keys. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Size of a directory tree: apparent (file lengths) and allocated on disk (blocks, as `du`). */
export function directorySize(dir: string): { apparentBytes: number; allocatedBytes: number } {
  let apparentBytes = 0;
  let allocatedBytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = directorySize(path);
      apparentBytes += inner.apparentBytes;
      allocatedBytes += inner.allocatedBytes;
    } else if (entry.isFile()) {
      const stat = statSync(path);
      apparentBytes += stat.size;
      allocatedBytes += stat.blocks * 512;
    }
  }
  return { apparentBytes, allocatedBytes };
}

/** Samples the process's resident set size on a timer; `stop()` returns the peak seen. */
export class RssSampler {
  private peak = process.memoryUsage.rss();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 100) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** Takes a sample now (call it from long synchronous loops, where the timer cannot fire). */
  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }

  /** Stops sampling; returns the peak RSS in bytes. */
  stop(): number {
    this.sample();
    clearInterval(this.timer);
    return this.peak;
  }
}

/** Runs a full GC if node was started with --expose-gc (the bench scripts do), so runs start alike. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

export const MiB = 2 ** 20;

/** Rounds to `digits` decimals. */
export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How {@link pollUntil} polls. */
export interface PollOptions {
  /** `performance.now()` after which it gives up. */
  readonly deadline: number;
  /** The message of the error thrown at the deadline. */
  readonly timeout: string;
  /** Throws if the run under test failed; called before each poll (default: nothing). */
  readonly failed?: () => void;
  /** Pause between polls (default 50 ms). */
  readonly intervalMs?: number;
}

/**
 * Polls `done` until it holds: each round calls `failed`, then `done`, then gives up past the
 * deadline, then sleeps.
 * @throws Error with `timeout` as its message once the deadline passed
 */
export async function pollUntil(done: () => Promise<boolean> | boolean, { deadline, timeout, failed, intervalMs = 50 }: PollOptions): Promise<void> {
  for (;;) {
    failed?.();
    if (await done()) return;
    if (performance.now() > deadline) throw new Error(timeout);
    await sleep(intervalMs);
  }
}
