#!/usr/bin/env node
/**
 * `node packages/testkit/dist/cli.js start|stop|status`: a local Kafka broker that outlives the
 * command, for the demo and for running integration tests against a broker that stays up
 * (`KAFKA_BROKERS=$(node packages/testkit/dist/cli.js status)`).
 *
 * - `start [--port N] [--kafka-version V]`: starts a detached broker and prints its bootstrap
 *   address on stdout (only that line, so it can be captured); if one is already running, prints
 *   its address instead. The port defaults to `$WEIR_KAFKA_PORT`, else 9092; `--port 0` picks a
 *   free one.
 * - `stop`: stops it (SIGTERM, SIGKILL after 20 s) and removes its temporary directory.
 * - `status`: prints the address and exits 0 if a broker is running, exits 1 otherwise.
 *
 * The pid and state live in `$WEIR_KAFKA_STATE_DIR`, else `<cache root>/run`
 * (`~/.cache/weir/run`).
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KafkaStartError } from './errors.js';
import { isKafkaBroker, stopPid } from './internal/broker-process.js';
import { DEFAULT_KAFKA_VERSION, defaultStateDir } from './internal/paths.js';
import { clearRunState, readRunState, writeRunState } from './internal/run-state.js';
import { startKafka } from './start-kafka.js';

const USAGE = 'usage: cli.js start [--port N] [--kafka-version V] | stop | status';
const STOP_TIMEOUT_MS = 20_000;

function info(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** The running broker recorded in `stateDir`; a stale record (dead pid) is cleaned up. */
function runningBroker(stateDir: string) {
  const state = readRunState(stateDir);
  if (state === undefined) return undefined;
  if (isKafkaBroker(state.pid)) return state;
  // The broker died (or the machine rebooted): its directory is useless now.
  rmSync(state.dir, { recursive: true, force: true });
  clearRunState(stateDir);
  return undefined;
}

async function start(stateDir: string, port: number, version: string): Promise<number> {
  const running = runningBroker(stateDir);
  if (running !== undefined) {
    info(`Kafka ${running.version} is already running (pid ${running.pid}); log: ${running.logFile}`);
    process.stdout.write(`${running.brokers.join(',')}\n`);
    return 0;
  }
  const started = Date.now();
  const kafka = await startKafka({ port, version, detached: true });
  writeRunState(stateDir, {
    pid: kafka.pid!,
    brokers: kafka.brokers,
    dir: kafka.dir,
    logFile: kafka.logFile,
    version: kafka.version,
    startedAt: new Date().toISOString(),
  });
  info(
    `Kafka ${kafka.version} started in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
      `(pid ${kafka.pid}); log: ${kafka.logFile}; stop it with: npm run kafka:stop`,
  );
  process.stdout.write(`${kafka.brokers.join(',')}\n`);
  return 0;
}

async function stop(stateDir: string): Promise<number> {
  const state = readRunState(stateDir);
  if (state === undefined) {
    info(`No Kafka broker is recorded in ${stateDir}; nothing to stop.`);
    return 0;
  }
  const outcome = await stopPid(state.pid, STOP_TIMEOUT_MS);
  rmSync(state.dir, { recursive: true, force: true });
  clearRunState(stateDir);
  const how = {
    stopped: 'stopped cleanly',
    killed: `killed (no clean shutdown within ${STOP_TIMEOUT_MS} ms)`,
    'not-running': 'was not running any more',
  }[outcome];
  info(`Kafka ${state.version} at ${state.brokers.join(',')} (pid ${state.pid}) ${how}; removed ${state.dir}`);
  return 0;
}

function status(stateDir: string): number {
  const running = runningBroker(stateDir);
  if (running === undefined) {
    info('No Kafka broker is running.');
    return 1;
  }
  process.stdout.write(`${running.brokers.join(',')}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      'kafka-version': { type: 'string', default: DEFAULT_KAFKA_VERSION },
    },
  });
  const stateDir = defaultStateDir();
  const command = positionals[0];
  if (positionals.length !== 1) {
    info(USAGE);
    return 2;
  }
  if (command === 'start') {
    const portText = values.port ?? process.env.WEIR_KAFKA_PORT ?? '9092';
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      info(`Invalid port "${portText}": expected an integer from 0 to 65535 (0 picks a free port).`);
      return 2;
    }
    return start(stateDir, port, values['kafka-version']);
  }
  if (command === 'stop') return stop(stateDir);
  if (command === 'status') return status(stateDir);
  info(`Unknown command "${command}". ${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    info(error instanceof KafkaStartError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
