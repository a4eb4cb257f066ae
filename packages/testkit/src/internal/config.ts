import { randomBytes } from 'node:crypto';
import { LOOPBACK } from './ports.js';

/** A value of a broker setting as written into `server.properties`. */
export type BrokerSettingValue = string | number | boolean;

/** What {@link serverProperties} needs to describe one combined broker+controller node. */
export interface ServerPropertiesInput {
  /** The client (PLAINTEXT) port on 127.0.0.1. */
  port: number;
  /** The KRaft controller port on 127.0.0.1. */
  controllerPort: number;
  /** The log directory (topic data and the KRaft metadata log). */
  dataDir: string;
  /** Extra settings; they override the defaults below. */
  overrides?: Readonly<Record<string, BrokerSettingValue>>;
}

/** The node id of the single node: it is both the only broker and the only controller voter. */
const NODE_ID = 1;

/**
 * The settings of a one-node test cluster. Every internal topic must fit on one replica, and the
 * broker must be small and quick on a 2-core machine; everything else stays at Kafka's default so
 * tests see the semantics production will have.
 */
function defaultSettings(input: ServerPropertiesInput): Record<string, BrokerSettingValue> {
  const { port, controllerPort, dataDir } = input;
  return {
    // KRaft combined mode: one JVM is the controller quorum and the broker.
    'process.roles': 'broker,controller',
    'node.id': NODE_ID,
    // A static voter set needs no --standalone bootstrap and works on every 4.x release.
    'controller.quorum.voters': `${NODE_ID}@${LOOPBACK}:${controllerPort}`,
    listeners: `PLAINTEXT://${LOOPBACK}:${port},CONTROLLER://${LOOPBACK}:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${LOOPBACK}:${port}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': dataDir,

    // One node: every replication factor and ISR minimum must be 1 or the topic cannot exist.
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,

    // Few internal partitions: the group and transaction coordinators load every partition of
    // their topic when first used, and 50 of each costs seconds on 2 cores.
    'offsets.topic.num.partitions': 5,
    'transaction.state.log.num.partitions': 5,

    // Tests create their topics explicitly, so a typo fails instead of creating a topic.
    'auto.create.topics.enable': false,
    'num.partitions': 1,
    // Without this, every first join of a group waits 3 s for more members.
    'group.initial.rebalance.delay.ms': 0,

    // After a crash (restart({ kill: true })) the controller refuses the new incarnation until
    // the dead one's session expires: 9 s by default, 4 s here. Heartbeats stay well inside it.
    'broker.session.timeout.ms': 4_000,
    'broker.heartbeat.interval.ms': 1_000,

    // Small thread pools and cleaner buffer: a test broker shares 2 cores with the tests.
    'num.network.threads': 2,
    'num.io.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
    'background.threads': 4,
    'log.cleaner.threads': 1,
    'log.cleaner.dedupe.buffer.size': 32 * 1024 * 1024,
  };
}

/** Escapes a value for a Java `.properties` file (only backslashes and line breaks matter). */
function escapeValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** Renders settings as a Java `.properties` file, one `key=value` line per setting. */
export function renderProperties(settings: Readonly<Record<string, BrokerSettingValue>>): string {
  return `${Object.entries(settings)
    .map(([key, value]) => `${key}=${escapeValue(String(value))}`)
    .join('\n')}\n`;
}

/**
 * The settings of a single-node KRaft broker on 127.0.0.1, with `overrides` applied last.
 *
 * @param input - ports, data directory and overrides
 * @returns the settings, in the order they are written
 */
export function brokerSettings(input: ServerPropertiesInput): Record<string, BrokerSettingValue> {
  return { ...defaultSettings(input), ...input.overrides };
}

/** The `server.properties` text for {@link brokerSettings}. */
export function serverProperties(input: ServerPropertiesInput): string {
  return renderProperties(brokerSettings(input));
}

/**
 * A log4j2 configuration (properties syntax, understood by log4j-core without extra jars) that
 * sends all broker logging to `logFile`, so the broker never writes to the test runner's stdout.
 * Request and state-change chatter is kept at WARN: it is most of the volume and rarely useful.
 */
export function log4j2Properties(logFile: string): string {
  return renderProperties({
    'appender.file.type': 'File',
    'appender.file.name': 'file',
    'appender.file.fileName': logFile,
    'appender.file.append': true,
    'appender.file.layout.type': 'PatternLayout',
    'appender.file.layout.pattern': '[%d] %p %m (%c)%n',
    'rootLogger.level': 'INFO',
    'rootLogger.appenderRef.file.ref': 'file',
    'logger.request.name': 'kafka.request.logger',
    'logger.request.level': 'WARN',
    'logger.stateChange.name': 'state.change.logger',
    'logger.stateChange.level': 'WARN',
  });
}

/**
 * A new KRaft cluster id: 16 random bytes in unpadded base64url, the form Kafka's `Uuid` parses.
 * Like Kafka's own `Uuid.randomUuid()`, it never starts with '-' (StorageTool's argument parser
 * would take such an id for an option) and is never the reserved all-zero id.
 */
export function newClusterId(): string {
  for (;;) {
    const bytes = randomBytes(16);
    const id = bytes.toString('base64url');
    if (!id.startsWith('-') && bytes.some((byte) => byte !== 0)) return id;
  }
}

/** JVM options for the broker; `heap` is the maximum heap, as for `-Xmx`. */
export function jvmOptions(heap: string, log4jConfigFile: string): string[] {
  return [
    '-Xms256m',
    `-Xmx${heap}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    // A broker that ran out of memory must die visibly, not limp on and time tests out.
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jConfigFile}`,
  ];
}
