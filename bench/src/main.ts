/**
 * Runs every benchmark: `npm run bench` (from the repository root, after a build), or
 * `npm run bench -- --quick` for smaller workloads. `--only=state` or `--only=runtime` picks one.
 * The runtime benchmark starts its own Kafka broker unless KAFKA_BROKERS is set.
 */
import { note, parseOptions } from './common.js';
import { runRuntimeBench } from './runtime.js';
import { runStateStoreBench } from './state-stores.js';

const options = parseOptions(process.argv.slice(2));
const started = Date.now();
if (options.only !== 'runtime') await runStateStoreBench(options);
if (options.only !== 'state') await runRuntimeBench(options);
note(`done in ${Math.round((Date.now() - started) / 1000)} s`);
