/**
 * State-store benchmark: a windowed count (tumbling 1 min, grace 10 s) through the real task
 * engine (`Task` from @weir/core) on LMDB state (`LmdbStateBackendFactory` from @weir/state), with
 * no Kafka: records are handed to `task.process()` and the two-phase commit
 * (`prepareCommit()` / `completeCommit()`) runs whenever a commit interval of wall time passed, as
 * the runtime does. The changelog records a commit returns are counted and dropped.
 *
 * Measures updates per second for keys drawn from 1M distinct keys and from 1k hot keys, each at
 * commit intervals of 100 ms and 1 s; then the LMDB directory size while windows move under
 * retention.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  Consumed,
  type InputRecord,
  Serdes,
  StreamsBuilder,
  Task,
  TimeWindows,
  type Topology,
} from '@weir/core';
import { LmdbStateBackendFactory, type LmdbTaskStateBackend } from '@weir/state';
import {
  type BenchOptions,
  collectGarbage,
  directorySize,
  loadAverage,
  MiB,
  note,
  printTable,
  resultHeader,
  RssSampler,
  round,
  runIfMain,
  saveResult,
  seededRandom,
} from './common.js';

const WINDOW_MS = 60_000;
const GRACE_MS = 10_000;
/**
 * Event time advances 0.2 ms per record: 5,000 records per second of event time, 300,000 per
 * one-minute window. 2M records span about 7 windows, so windows open, close and expire
 * (retention = size + grace = 70 s) during a run.
 */
const EVENT_MS_PER_RECORD = 0.2;
/** Event time of the first record: a fixed, minute-aligned instant, so every run sees the same windows. */
const EVENT_TIME_START = Date.UTC(2026, 0, 1);
const TOPIC = 'clicks';

/** One throughput scenario. */
export interface StoreScenario {
  readonly name: string;
  readonly keys: number;
  readonly commitIntervalMs: number;
  readonly records: number;
}

/** What one throughput scenario measured. */
export interface StoreScenarioResult extends StoreScenario {
  readonly seconds: number;
  readonly updatesPerSecond: number;
  readonly commits: number;
  readonly commitMsMean: number;
  readonly commitMsMax: number;
  /** Mean time of a commit's first phase, `prepareCommit()`; the rest of the mean is `completeCommit()` (LMDB). */
  readonly prepareMsMean: number;
  /** Share of the run's wall time spent in prepareCommit + completeCommit. */
  readonly commitShare: number;
  readonly changelogRecords: number;
  readonly storeEntriesAtEnd: number;
  readonly peakRssMiB: number;
  readonly droppedLate: number;
  /** 1-minute load average when the run ended. */
  readonly loadAverage: number;
}

/** A size sample of the retention run. */
export interface SizeSample {
  readonly updates: number;
  readonly eventMinutes: number;
  readonly storeEntries: number;
  readonly apparentMiB: number;
  readonly allocatedMiB: number;
}

/** The topology under test: `stream().groupByKey().windowedBy(1 min, grace 10 s).count()`. */
export function windowedCountTopology(): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream(TOPIC, Consumed.with(Serdes.String(), Serdes.String()))
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, GRACE_MS))
    .count();
  return builder.build();
}

/** Serialized keys `k0000000`..: one buffer, one view per key, built before timing starts. */
function keyPool(count: number): Uint8Array[] {
  const width = String(count - 1).length;
  const all = Buffer.from(Array.from({ length: count }, (_, i) => `k${String(i).padStart(width, '0')}`).join(''), 'latin1');
  const size = width + 1;
  return Array.from({ length: count }, (_, i) => all.subarray(i * size, (i + 1) * size));
}

/** A task on LMDB state for the windowed count, in a fresh state directory. */
class CountTask {
  readonly stateDir = mkdtempSync(join(tmpdir(), 'weir-bench-state-'));
  readonly task: Task;
  readonly storeName: string;
  private readonly backend: LmdbTaskStateBackend;
  private changelogOffset = 0;
  commits = 0;
  commitMsTotal = 0;
  commitMsMax = 0;
  /** Time in `prepareCommit()` (cache flush, changelog records); the rest is `completeCommit()` (the LMDB transaction). */
  prepareMsTotal = 0;

  constructor() {
    const topology = windowedCountTopology();
    const subtopology = topology.subtopologies[0]!;
    this.storeName = subtopology.stores[0]!;
    const factory = new LmdbStateBackendFactory({ stateDir: this.stateDir, onReset: () => {} });
    this.backend = factory.open(`${subtopology.id}_0`, subtopology.stores, topology.fingerprint());
    this.task = new Task({
      applicationId: 'bench',
      topology,
      subtopology,
      partition: 0,
      backend: this.backend,
      collector: { send: () => {} },
    });
  }

  /** Both phases of a commit; the changelog offsets advance as if the records had been produced. */
  commit(): void {
    const started = performance.now();
    const prepared = this.task.prepareCommit();
    this.prepareMsTotal += performance.now() - started;
    this.changelogOffset += prepared.changelog.length;
    this.task.completeCommit({ [this.storeName]: String(this.changelogOffset) });
    const ms = performance.now() - started;
    this.commits++;
    this.commitMsTotal += ms;
    this.commitMsMax = Math.max(this.commitMsMax, ms);
  }

  get changelogRecords(): number {
    return this.changelogOffset;
  }

  storeEntries(): number {
    return this.backend.store(this.storeName).approximateNumEntries();
  }

  close(): void {
    this.task.close();
    this.backend.close();
  }

  remove(): void {
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/**
 * Feeds `records` records with keys drawn uniformly (seeded) from `keys`, committing whenever
 * `commitIntervalMs` of wall time passed since the last commit started; `onCommit` runs after each
 * commit with the number of records processed.
 */
function drive(
  counter: CountTask,
  keys: readonly Uint8Array[],
  records: number,
  commitIntervalMs: number,
  rss: RssSampler,
  onCommit?: (processed: number) => void,
): void {
  const random = seededRandom(42);
  const value = Buffer.from('1');
  const headers = {};
  let lastCommit = performance.now();
  for (let i = 0; i < records; i++) {
    const input: InputRecord = {
      topic: TOPIC,
      partition: 0,
      offset: String(i),
      key: keys[Math.floor(random() * keys.length)]!,
      value,
      timestamp: EVENT_TIME_START + Math.floor(i * EVENT_MS_PER_RECORD),
      headers,
    };
    counter.task.process(input);
    // Checking the clock every 256 records costs nothing measurable and is well under 1 ms.
    if ((i & 255) === 255) {
      const now = performance.now();
      if (now - lastCommit >= commitIntervalMs) {
        lastCommit = now;
        counter.commit();
        rss.sample();
        onCommit?.(i + 1);
      }
    }
  }
  counter.commit();
  onCommit?.(records);
}

/** Runs one throughput scenario on fresh state. */
export function runScenario(scenario: StoreScenario, keys: readonly Uint8Array[]): StoreScenarioResult {
  collectGarbage();
  const counter = new CountTask();
  const rss = new RssSampler();
  try {
    const started = performance.now();
    drive(counter, keys, scenario.records, scenario.commitIntervalMs, rss);
    const seconds = (performance.now() - started) / 1000;
    return {
      ...scenario,
      seconds: round(seconds, 2),
      updatesPerSecond: Math.round(scenario.records / seconds),
      commits: counter.commits,
      commitMsMean: round(counter.commitMsTotal / counter.commits, 1),
      commitMsMax: round(counter.commitMsMax, 1),
      prepareMsMean: round(counter.prepareMsTotal / counter.commits, 1),
      commitShare: round(counter.commitMsTotal / 1000 / seconds, 3),
      changelogRecords: counter.changelogRecords,
      storeEntriesAtEnd: counter.storeEntries(),
      peakRssMiB: Math.round(rss.stop() / MiB),
      droppedLate: counter.task.counters.dropped.late,
      loadAverage: loadAverage(),
    };
  } finally {
    rss.stop();
    counter.close();
    counter.remove();
  }
}

/** Runs `records` updates over 1M keys and samples the LMDB directory size about ten times. */
export function runRetention(records: number, keys: readonly Uint8Array[], commitIntervalMs: number): { samples: SizeSample[]; updatesPerSecond: number } {
  collectGarbage();
  const counter = new CountTask();
  const rss = new RssSampler();
  const samples: SizeSample[] = [];
  const every = Math.max(1, Math.floor(records / 10));
  let nextSample = every;
  try {
    const sample = (processed: number) => {
      const size = directorySize(counter.stateDir);
      samples.push({
        updates: processed,
        eventMinutes: round((processed * EVENT_MS_PER_RECORD) / 60_000, 1),
        storeEntries: counter.storeEntries(),
        apparentMiB: round(size.apparentBytes / MiB, 1),
        allocatedMiB: round(size.allocatedBytes / MiB, 1),
      });
      note(`retention: ${processed} updates, ${samples.at(-1)!.allocatedMiB} MiB on disk, ${samples.at(-1)!.storeEntries} entries`);
    };
    const started = performance.now();
    drive(counter, keys, records, commitIntervalMs, rss, (processed) => {
      // Sampled right after a commit: what is on disk is then the whole committed state.
      if (processed >= nextSample || processed === records) {
        sample(processed);
        while (nextSample <= processed) nextSample += every;
      }
    });
    const seconds = (performance.now() - started) / 1000;
    return { samples, updatesPerSecond: Math.round(records / seconds) };
  } finally {
    rss.stop();
    counter.close();
    counter.remove();
  }
}

/** Runs the state-store benchmark; prints tables and writes bench/results/state-stores-<timestamp>.json. */
export async function runStateStoreBench(options: BenchOptions): Promise<void> {
  const records = options.quick ? 200_000 : 2_000_000;
  const retentionRecords = options.quick ? 1_000_000 : 10_000_000;
  const distinct = keyPool(1_000_000);
  const hot = keyPool(1_000);
  note(`state stores: ${records} records per scenario, retention run ${retentionRecords} updates${options.quick ? ' (quick)' : ''}`);

  // Warm-up, not reported: lets V8 optimize the hot path before the first timed run.
  runScenario({ name: 'warm-up', keys: 1_000, commitIntervalMs: 100, records: 100_000 }, hot);

  const scenarios: StoreScenario[] = [
    { name: '1M keys, commit 100 ms', keys: 1_000_000, commitIntervalMs: 100, records },
    { name: '1M keys, commit 1 s', keys: 1_000_000, commitIntervalMs: 1_000, records },
    { name: '1k hot keys, commit 100 ms', keys: 1_000, commitIntervalMs: 100, records },
    { name: '1k hot keys, commit 1 s', keys: 1_000, commitIntervalMs: 1_000, records },
  ];
  const results: StoreScenarioResult[] = [];
  for (const scenario of scenarios) {
    note(`running ${scenario.name}`);
    const result = runScenario(scenario, scenario.keys === 1_000 ? hot : distinct);
    note(`  ${result.updatesPerSecond} updates/s`);
    results.push(result);
  }
  printTable(
    `State stores: windowed count (1 min, grace 10 s) on LMDB through Task, ${records} records per run`,
    results.map((r) => ({
      scenario: r.name,
      'updates/s': r.updatesPerSecond,
      seconds: r.seconds,
      commits: r.commits,
      'commit ms (mean)': r.commitMsMean,
      'commit ms (max)': r.commitMsMax,
      'of which prepare': r.prepareMsMean,
      'time in commit': `${Math.round(r.commitShare * 100)}%`,
      'changelog recs': r.changelogRecords,
      'entries at end': r.storeEntriesAtEnd,
      'peak RSS MiB': r.peakRssMiB,
      'load avg': r.loadAverage,
    })),
  );

  note(`running retention: ${retentionRecords} updates over 1M keys, commit 1 s`);
  const retention = runRetention(retentionRecords, distinct, 1_000);
  printTable(
    `LMDB directory size, ${retentionRecords} updates over 1M keys, windows moving (retention 70 s of event time), commit 1 s: ${retention.updatesPerSecond} updates/s`,
    retention.samples.map((s) => ({
      updates: s.updates,
      'event time (min)': s.eventMinutes,
      'store entries': s.storeEntries,
      'apparent MiB': s.apparentMiB,
      'on disk MiB': s.allocatedMiB,
    })),
  );

  saveResult(options, 'state-stores', () => ({
    ...resultHeader('state-stores', options),
    workload: {
      topology: 'stream().groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000)).count()',
      backend: 'LmdbStateBackendFactory (one LMDB environment per task)',
      keyDistribution: 'uniform over the key set (seeded)',
      eventMsPerRecord: EVENT_MS_PER_RECORD,
      recordsPerScenario: records,
    },
    scenarios: results,
    retention: { records: retentionRecords, keys: 1_000_000, commitIntervalMs: 1_000, ...retention },
  }));
}

await runIfMain(import.meta.url, runStateStoreBench);
