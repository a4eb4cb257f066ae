/**
 * Runs the benchmarks: `npm run bench` (from the repository root, after a build), or
 * `npm run bench -- --quick` for smaller workloads. `--only=<name>[,<name>]` picks some (the
 * names are the keys of BENCHMARKS below). Benchmarks that need Kafka start their own broker
 * unless KAFKA_BROKERS is set.
 */
import { type BenchOptions, note, parseOptions } from './common.js';
import { runParquetImportBench } from './parquet-import.js';
import { runParquetSinkBench } from './parquet-sink.js';
import { runParquetSourceBench } from './parquet-source.js';
import { runPipelineBench } from './pipeline.js';
import { runRuntimeBench } from './runtime.js';
import { runStateStoreBench } from './state-stores.js';

/** Every benchmark by its `--only` name, in the order a full run takes them. */
const BENCHMARKS: Record<string, (options: BenchOptions) => Promise<unknown>> = {
  state: runStateStoreBench,
  runtime: runRuntimeBench,
  parquet: runParquetSinkBench,
  import: runParquetImportBench,
  source: runParquetSourceBench,
  pipeline: runPipelineBench,
};

const options = parseOptions(process.argv.slice(2), Object.keys(BENCHMARKS));
const started = Date.now();
for (const [name, run] of Object.entries(BENCHMARKS)) {
  if (options.only === undefined || options.only.includes(name)) await run(options);
}
note(`done in ${Math.round((Date.now() - started) / 1000)} s`);
