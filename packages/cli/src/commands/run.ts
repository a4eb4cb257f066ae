import type { Topology } from '@weir/core';
import type { AppState, WeirApp } from '@weir/kafka';
import { type Command, Option } from 'commander';
import { CliError, ExitCode, UsageError } from '../errors.js';
import { loadTopology, summarizeTopology } from '../internal/load-topology.js';
import type { MetricsServer } from '../internal/metrics-server.js';
import { integerOption, listOption } from '../internal/options.js';
import { type CliIo, write } from '../internal/output.js';
import { LOG_LEVELS, type RunConfig, type RunFlags, resolveRunConfig, type Setting } from '../internal/run-config.js';

/** How long a failed app gets to release its clients before the process exits anyway. */
const FAILED_CLOSE_TIMEOUT_MS = 5_000;

function origin(setting: Setting<unknown>): string {
  return setting.origin === 'default' ? '(default)' : `(${setting.origin})`;
}

/** The start-up summary: what runs, where, with which guarantee, and where each setting came from. */
export function startupSummary(module: string, config: RunConfig, topology: Topology, metricsPort?: number): string {
  const t = summarizeTopology(topology);
  const commitMs = config.commitIntervalMs.value ?? (config.guarantee.value === 'exactly_once' ? 100 : 30_000);
  const list = (items: readonly string[]) => (items.length === 0 ? 'none' : items.join(', '));
  const rows: [string, string][] = [
    ['application id', `${config.applicationId.value} ${origin(config.applicationId)}`],
    ['brokers', `${config.brokers.value.join(', ')} ${origin(config.brokers)}`],
    ['state dir', `${config.stateDir.value} ${origin(config.stateDir)}`],
    ['guarantee', `${config.guarantee.value} ${origin(config.guarantee)}`],
    ['commit interval', `${commitMs} ms ${origin(config.commitIntervalMs)}`],
    ['log level', `${config.logLevel.value} ${origin(config.logLevel)}`],
    ['metrics', metricsPort === undefined ? 'off (--metrics-port n to serve /metrics and /health)' : `http://0.0.0.0:${metricsPort}/metrics and /health`],
    ['sub-topologies', String(t.subtopologies)],
    ['source topics', list(t.sources)],
    ['stores', list(t.stores)],
    ['sinks', list(t.sinks)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `weir run ${module}\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}

/**
 * kafkajs reports an unreachable cluster in several ways (a timeout from WeirApp, a refused
 * connection, an unknown host, a non-retriable error wrapping one of these). All mean the same
 * to an operator, so they get the same line.
 */
function isUnreachable(error: Error): boolean {
  const text = `${error.name} ${error.message} ${(error.cause as Error | undefined)?.message ?? ''}`;
  return /cannot reach Kafka brokers|KafkaJSConnectionError|Connection (error|timeout)|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|Failed to connect/i.test(text);
}

/** Resolves when the app reaches NOT_RUNNING or ERROR. */
function stopped(app: WeirApp): Promise<AppState> {
  return new Promise((resolve) => {
    const subscription = app.state$.subscribe((state) => {
      if (state === 'NOT_RUNNING' || state === 'ERROR') {
        queueMicrotask(() => subscription.unsubscribe());
        resolve(state);
      }
    });
  });
}

/**
 * Runs `weir run`: loads the topology, merges the configuration, starts a WeirApp (and the
 * metrics server), and returns once the app stopped: after SIGTERM/SIGINT (WeirApp closes
 * gracefully: last commit, stores closed, group left) or a fatal error.
 *
 * @returns the exit code: 0 after a graceful stop, 1 when the app failed
 * @throws UsageError for a bad module, flag, environment variable or config file
 * @throws CliError (exit 1) when the app cannot start (brokers unreachable, source topics missing)
 */
export async function runApp(module: string, flags: RunFlags, io: CliIo): Promise<number> {
  const config = await resolveRunConfig(module, flags);
  const topology = await loadTopology(module);
  // Loaded here, not at the top: the other commands need neither Kafka nor pino nor prom-client.
  const { createPino, weirLogger } = await import('../internal/pino-logger.js');
  const { startMetricsServer } = await import('../internal/metrics-server.js');
  const { WeirApp, WeirConfigError } = await import('@weir/kafka');
  const log = createPino(config.logLevel.value);
  let app: WeirApp;
  try {
    app = new WeirApp(topology, {
      ...config.extra,
      applicationId: config.applicationId.value,
      brokers: config.brokers.value,
      stateDir: config.stateDir.value,
      processingGuarantee: config.guarantee.value,
      ...(config.commitIntervalMs.value === undefined ? {} : { commitIntervalMs: config.commitIntervalMs.value }),
      logger: weirLogger(log),
    });
  } catch (error) {
    // The constructor only validates the configuration: a usage problem, not a runtime one.
    if (error instanceof WeirConfigError) throw new UsageError(error.message, { cause: error });
    throw error;
  }

  let metrics: MetricsServer | undefined;
  if (config.metricsPort.value !== undefined) {
    try {
      // Before start: /health answers 503 while the app connects and rebalances.
      metrics = await startMetricsServer(app, config.metricsPort.value);
    } catch (error) {
      throw new CliError(`cannot serve metrics on port ${config.metricsPort.value}: ${(error as Error).message}`, ExitCode.Failure, { cause: error });
    }
  }
  await write(io.stdout, startupSummary(module, config, topology, metrics?.port));
  log.info({ applicationId: config.applicationId.value, brokers: config.brokers.value, metricsPort: metrics?.port }, 'starting');

  const done = stopped(app);
  // WeirApp installs its signal handlers at the end of start(). Until then a signal must not kill
  // the process mid-start; remember it and close once started. A second signal forces the exit.
  let stopRequested = false;
  const early = (signal: NodeJS.Signals) => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
    log.info({ signal }, 'signal received while starting; stopping once started (again to force)');
  };
  process.on('SIGINT', early);
  process.on('SIGTERM', early);
  try {
    await app.start();
  } catch (error) {
    await metrics?.close();
    const err = error as Error;
    if (isUnreachable(err)) {
      const brokers = config.brokers.value.join(', ');
      const message = err.message.startsWith('cannot reach Kafka brokers') ? err.message : `cannot reach Kafka brokers ${brokers}: ${err.message}`;
      throw new CliError(message, ExitCode.Failure, { cause: error });
    }
    throw new CliError(`cannot start: ${err.message}`, ExitCode.Failure, { cause: error });
  } finally {
    process.off('SIGINT', early);
    process.off('SIGTERM', early);
  }
  log.info({ state: app.state }, 'started');
  if (stopRequested) await app.close();

  const final = await done;
  if (final === 'ERROR') {
    // Let the clients leave the group (so other instances take over the tasks at once), but
    // bounded: after a failure inside a batch, the consumer's stop can wait on that very batch.
    await Promise.race([app.close().catch(() => {}), new Promise((resolve) => setTimeout(resolve, FAILED_CLOSE_TIMEOUT_MS).unref())]);
  }
  await metrics?.close();
  if (final === 'ERROR') {
    const message = app.error?.message ?? 'the app stopped in state ERROR';
    log.error({ error: app.error }, 'stopped after a failure');
    await write(io.stderr, `weir: ${config.applicationId.value} failed: ${message}\n`);
    return ExitCode.Failure;
  }
  log.info({}, 'stopped');
  return ExitCode.Ok;
}

/** Registers `weir run <module>`. */
export function registerRun(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('run')
    .summary('run a topology as a stream app on Kafka')
    .description(
      'Loads <module> (JavaScript or TypeScript) and runs the topology it exports (default or `topology`: a Topology, or a ' +
        'function returning one or a Promise of one) as a stream app on Kafka with WeirApp, until SIGTERM or SIGINT. ' +
        'Settings merge: defaults < --config file < environment (WEIR_*) < flags.',
    )
    .argument('<module>', 'the module exporting the topology (.js, .mjs, .ts, .mts)')
    .option('--config <file>', 'a JSON file of WeirAppConfig settings (applicationId, brokers, stateDir, processingGuarantee, commitIntervalMs, connectTimeoutMs, ...)')
    .option('--application-id <id>', 'consumer group, internal topic prefix, transactional id prefix (env WEIR_APPLICATION_ID; default: the module file name)')
    .option('--brokers <list>', 'comma-separated bootstrap brokers (env WEIR_BROKERS; default: 127.0.0.1:9092)', listOption)
    .option('--state-dir <dir>', 'local state directory, one per instance (env WEIR_STATE_DIR; default: <tmpdir>/weir/<application id>)')
    .addOption(
      new Option('--guarantee <guarantee>', 'processing guarantee (env WEIR_GUARANTEE; default: exactly_once)').choices(['exactly_once', 'at_least_once']),
    )
    .option('--commit-interval-ms <n>', 'commit interval (env WEIR_COMMIT_INTERVAL_MS; default: 100 exactly-once, 30000 at-least-once)', integerOption(1))
    .option('--metrics-port <n>', 'serve /metrics and /health on this port, 0 for any free one (env WEIR_METRICS_PORT; default: off)', integerOption(0, 65535))
    .addOption(new Option('--log-level <level>', 'JSON log level on stderr (env WEIR_LOG_LEVEL; default: info)').choices(LOG_LEVELS))
    .addHelpText(
      'after',
      `
Examples:
  $ weir run ./topology.ts --brokers kafka-1:9092,kafka-2:9092 --application-id page-views --state-dir /var/lib/weir
  $ WEIR_BROKERS=127.0.0.1:9092 weir run ./dist/topology.js --config weir.json --metrics-port 9464`,
    )
    .action(async (module: string, flags: RunFlags) => setExitCode(await runApp(module, flags, io)));
}
