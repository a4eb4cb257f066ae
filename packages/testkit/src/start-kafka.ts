import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaStartError } from './errors.js';
import { BrokerProcess, type ExitStatus } from './internal/broker-process.js';
import { type BrokerSettingValue, jvmOptions, log4j2Properties, newClusterId, serverProperties } from './internal/config.js';
import { checkJava, defaultJavaPath } from './internal/java.js';
import { tailOfFile } from './internal/log-tail.js';
import { ensureKafkaJars } from './internal/maven.js';
import { DEFAULT_KAFKA_VERSION, defaultCacheRoot } from './internal/paths.js';
import { assertPortFree, freePorts, LOOPBACK } from './internal/ports.js';
import { brokerAnswers } from './internal/readiness.js';
import { formatStorage } from './internal/storage.js';

/** Options of {@link startKafka}. Every field is optional. */
export interface StartKafkaOptions {
  /** Apache Kafka release to run, fetched from Maven Central as org.apache.kafka:kafka_2.13. Default '4.1.1'. */
  version?: string;
  /** Cache root; the jars live in `<cacheDir>/kafka-<version>/lib`. Default `$WEIR_KAFKA_CACHE`, else `~/.cache/weir`. */
  cacheDir?: string;
  /** Client (PLAINTEXT) port on 127.0.0.1. Default 0: a free port. */
  port?: number;
  /** KRaft controller port on 127.0.0.1. Default 0: a free port. */
  controllerPort?: number;
  /** How long the broker may take to answer a kafkajs admin after the JVM starts. Default 60_000. */
  startTimeoutMs?: number;
  /** How long a clean shutdown may take before the broker is SIGKILLed. Default 20_000. */
  stopTimeoutMs?: number;
  /** How long Maven may take to fetch the jars on a cache miss. Default 600_000. */
  fetchTimeoutMs?: number;
  /** The java executable (Java 17 or newer). Default `$JAVA_HOME/bin/java`, else `java`. */
  javaPath?: string;
  /** The Maven executable, used only on a cache miss. Default 'mvn'. */
  mavenPath?: string;
  /** Maximum JVM heap, as for -Xmx. Default '1g'. */
  heap?: string;
  /** Extra `server.properties` settings; they override the testkit's. Default {}. */
  brokerConfig?: Readonly<Record<string, BrokerSettingValue>>;
  /** Where the broker's temporary directory is created. Default `os.tmpdir()`. */
  tmpDir?: string;
  /**
   * Default false: the broker is killed when this process exits. True: it runs in its own
   * session and outlives this process (what `kafka:start` uses); stop it with `stop()` or by pid.
   */
  detached?: boolean;
}

/** Options of {@link KafkaBroker.restart}. */
export interface RestartOptions {
  /** Default false: SIGTERM and a clean shutdown. True: SIGKILL, as a crash would. */
  kill?: boolean;
}

/** A running local Kafka broker, as returned by {@link startKafka}. */
export interface KafkaBroker {
  /** Bootstrap addresses for kafkajs, e.g. `['127.0.0.1:40123']`. */
  readonly brokers: string[];
  /** The broker's log file (log4j2 output plus the JVM's stdout and stderr). */
  readonly logFile: string;
  /** The temporary directory holding configuration, data and log; removed by {@link stop}. */
  readonly dir: string;
  /** The Kafka log directory (topic data and KRaft metadata), kept across {@link restart}. */
  readonly dataDir: string;
  /** The Kafka version running. */
  readonly version: string;
  /** The pid of the broker JVM, or undefined while it is stopped. */
  readonly pid: number | undefined;
  /**
   * Stops the broker (SIGTERM, then SIGKILL after `stopTimeoutMs`) and removes its directory.
   * Safe to call more than once.
   */
  stop(): Promise<void>;
  /**
   * Stops the broker and starts it again on the same ports with the same data directory, for
   * fault tests; resolves once it answers again.
   *
   * @throws KafkaStartError if it does not come back (the message has the log's tail)
   */
  restart(options?: RestartOptions): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function describeExit(status: ExitStatus): string {
  if (status.error !== undefined) return `could not be started (${status.error.message})`;
  return status.signal !== null ? `was killed by ${status.signal}` : `exited with code ${status.code}`;
}

/**
 * Starts a real Apache Kafka broker: one KRaft node that is both broker and controller, on
 * 127.0.0.1, with a fresh temporary data directory. On first use of a version its jars are
 * fetched with Maven into a cache outside the repository; later starts reuse them and take a few
 * seconds. Resolves once a kafkajs admin can connect and list topics.
 *
 * Internal topics have one replica, `auto.create.topics.enable` is false (create topics
 * explicitly), and the first rebalance of a group is not delayed. Unless `detached` is set, the
 * broker is killed if this process exits without calling `stop()`.
 *
 * @example
 * ```ts
 * const kafka = await startKafka();
 * const client = new Kafka({ brokers: kafka.brokers });
 * // ...
 * await kafka.stop();
 * ```
 *
 * @param options - version, cache, ports, timeouts; all optional
 * @returns the running broker
 * @throws KafkaStartError when Java is missing or too old, Maven is missing on a cache miss or
 *   fails, a requested port is taken, or the broker dies or does not answer in time; the message
 *   names the cause and, once the broker has run, its log file and the last lines of it
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const {
    version = DEFAULT_KAFKA_VERSION,
    cacheDir = defaultCacheRoot(),
    port: requestedPort = 0,
    controllerPort: requestedControllerPort = 0,
    startTimeoutMs = 60_000,
    stopTimeoutMs = 20_000,
    fetchTimeoutMs = 600_000,
    javaPath = defaultJavaPath(),
    mavenPath = 'mvn',
    heap = '1g',
    brokerConfig = {},
    tmpDir = tmpdir(),
    detached = false,
  } = options;

  // Cheap checks first, so a taken port or a missing Java fails in milliseconds, before a download.
  if (requestedPort !== 0 && requestedPort === requestedControllerPort) {
    throw new KafkaStartError(`Port ${requestedPort} was asked for as both the client and the controller port; they must differ.`, {
      reason: 'port',
      port: requestedPort,
    });
  }
  if (requestedPort !== 0) await assertPortFree(requestedPort, 'client port');
  if (requestedControllerPort !== 0) await assertPortFree(requestedControllerPort, 'controller port');
  // Distinct OS-assigned ports; one may equal a requested port (it was just closed), so skip it.
  const free = await freePorts(3);
  const pick = (taken: number) => free.find((candidate) => candidate !== taken)!;
  const port = requestedPort !== 0 ? requestedPort : pick(requestedControllerPort);
  const controllerPort = requestedControllerPort !== 0 ? requestedControllerPort : pick(port);
  await checkJava(javaPath, version);
  const libDir = await ensureKafkaJars({ version, cacheRoot: cacheDir, mavenPath, timeoutMs: fetchTimeoutMs });

  await mkdir(tmpDir, { recursive: true });
  const dir = await mkdtemp(join(tmpDir, 'weir-kafka-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'broker.log');
  const serverPropertiesFile = join(dir, 'server.properties');
  const log4jFile = join(dir, 'log4j2.properties');
  const jvm = jvmOptions(heap, log4jFile);
  await writeFile(serverPropertiesFile, serverProperties({ port, controllerPort, dataDir, overrides: brokerConfig }));
  await writeFile(log4jFile, log4j2Properties(logFile));
  await writeFile(logFile, '');

  await formatStorage({ javaPath, libDir, jvmOptions: jvm, serverPropertiesFile, clusterId: newClusterId(), logFile, version });

  const bootstrap = `${LOOPBACK}:${port}`;

  /** Starts the JVM on the prepared directory and waits until it answers. */
  async function launch(): Promise<BrokerProcess> {
    const broker = BrokerProcess.spawn({
      javaPath,
      libDir,
      jvmOptions: jvm,
      serverPropertiesFile,
      logFile,
      workDir: dir,
      detached,
    });
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      const status = broker.exitStatus;
      if (status !== undefined) {
        throw new KafkaStartError(
          `The Kafka ${version} broker on ${bootstrap} ${describeExit(status)} before it became ` +
            `ready. Log file: ${logFile} (its directory is kept). Last lines:\n${await tailOfFile(logFile)}`,
          { reason: 'exited', logFile, port, cause: status.error },
        );
      }
      if (await brokerAnswers(bootstrap, 2_000)) return broker;
      if (Date.now() >= deadline) {
        broker.killNow();
        await broker.exited;
        throw new KafkaStartError(
          `The Kafka ${version} broker on ${bootstrap} did not answer a kafkajs admin within ` +
            `${startTimeoutMs} ms and was killed. Log file: ${logFile} (its directory is kept). ` +
            `Last lines:\n${await tailOfFile(logFile)}`,
          { reason: 'timeout', logFile, port },
        );
      }
      // Wake early if the JVM dies, so a crash is reported at once rather than at the deadline.
      await Promise.race([sleep(250), broker.exited]);
    }
  }

  let current: BrokerProcess | undefined = await launch();
  let stopped = false;
  // stop() and restart() run one at a time, in call order.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(task: () => Promise<T>): Promise<T> => {
    const result = queue.then(task);
    queue = result.catch(() => undefined);
    return result;
  };

  return {
    brokers: [bootstrap],
    logFile,
    dir,
    dataDir,
    version,
    get pid() {
      return current?.pid;
    },
    stop: () =>
      serially(async () => {
        if (stopped) return;
        stopped = true;
        await current?.stop({ timeoutMs: stopTimeoutMs });
        current = undefined;
        await rm(dir, { recursive: true, force: true });
      }),
    restart: ({ kill = false }: RestartOptions = {}) =>
      serially(async () => {
        if (stopped) throw new Error(`restart() called after stop() on the Kafka broker at ${bootstrap}`);
        await current?.stop({ timeoutMs: stopTimeoutMs, kill });
        current = undefined;
        await assertPortFree(port, 'client port');
        await assertPortFree(controllerPort, 'controller port');
        current = await launch();
      }),
  };
}
