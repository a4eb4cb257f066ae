/** What went wrong when a broker was started, so callers and tests can branch on it. */
export type KafkaStartErrorReason =
  /** Java is missing, cannot be run, or is older than Kafka needs. */
  | 'java'
  /** Maven is missing or failed while fetching the Kafka jars into the cache. */
  | 'maven'
  /** A requested port on 127.0.0.1 is already taken. */
  | 'port'
  /** Formatting the KRaft storage directory failed. */
  | 'format'
  /** The broker process exited before it became ready. */
  | 'exited'
  /** The broker did not become ready within `startTimeoutMs`. */
  | 'timeout';

/** Context carried by a {@link KafkaStartError}; every field is optional. */
export interface KafkaStartErrorContext {
  /** Why the start failed. */
  reason: KafkaStartErrorReason;
  /** The underlying error, if there was one. */
  cause?: unknown;
  /** The broker's log file, when the broker got far enough to write one. */
  logFile?: string;
  /** The port involved, for `reason: 'port'` and broker failures. */
  port?: number;
}

/**
 * Thrown by `startKafka()`, `restart()` and the CLI when a local Kafka broker cannot be started.
 * The message names the cause (missing Java, missing Maven, a taken port, a broker that died) and,
 * when the broker ran, its log file and the last lines of that log.
 */
export class KafkaStartError extends Error {
  /** Why the start failed. */
  readonly reason: KafkaStartErrorReason;
  /** The broker's log file, if the broker got far enough to write one. */
  readonly logFile: string | undefined;
  /** The port involved, if any. */
  readonly port: number | undefined;

  /**
   * @param message - a message that names the cause and what to do about it
   * @param context - the reason and the values behind it
   */
  constructor(message: string, context: KafkaStartErrorContext) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = 'KafkaStartError';
    this.reason = context.reason;
    this.logFile = context.logFile;
    this.port = context.port;
  }
}
