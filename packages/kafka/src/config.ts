import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StateBackendFactory } from '@weir/core';
import { type ErrorHandler, logAndFail } from './error-handlers.js';
import { WeirConfigError } from './errors.js';
import { jsonLogger, type Logger } from './logger.js';

/** Processing guarantees (Kafka Streams' `processing.guarantee`). */
export type ProcessingGuarantee = 'exactly_once' | 'at_least_once';

/** Configuration of a {@link WeirApp}. */
export interface WeirAppConfig {
  /** Names the consumer group, the internal topics (`<id>-...`) and transactional ids. Required. */
  readonly applicationId: string;
  /** Bootstrap brokers, e.g. `['127.0.0.1:9092']`. Required. */
  readonly brokers: readonly string[];
  /** Where task state (LMDB) lives (default `<tmpdir>/weir/<applicationId>`). One directory per instance. */
  readonly stateDir?: string;
  /** `'exactly_once'` (default: Weir's promise) or `'at_least_once'`. */
  readonly processingGuarantee?: ProcessingGuarantee;
  /** How often tasks commit (default 100 ms with exactly-once, 30 s otherwise, as Kafka Streams). */
  readonly commitIntervalMs?: number;
  /** Client id prefix for Kafka connections (default the application id). */
  readonly clientId?: string;
  /** Structured logger (default JSON lines on stderr at `info`). */
  readonly logger?: Logger;
  /** Undeserializable records (default log and fail). */
  readonly deserializationErrorHandler?: ErrorHandler;
  /** Records a processor threw on (default log and fail). */
  readonly processingErrorHandler?: ErrorHandler;
  /** Partitions of internal repartition topics when the topology does not fix them (default: as the upstream sources). */
  readonly repartitionPartitions?: number;
  /** Replication factor of internal topics (default -1: the broker's default). */
  readonly replicationFactor?: number;
  /** How long start() waits for the brokers (default 30 s). */
  readonly connectTimeoutMs?: number;
  /** Task state storage (default LMDB under `stateDir`, via `@weir/state`). */
  readonly stateBackend?: StateBackendFactory;
  /** Record cache per store in bytes (default 10 MiB). */
  readonly maxCacheBytesPerStore?: number;
  /** Consumer session timeout (default 30 s); an instance silent this long loses its tasks. */
  readonly sessionTimeoutMs?: number;
  /** Consumer heartbeat interval (default 3 s). */
  readonly heartbeatIntervalMs?: number;
  /** How long a rebalance waits for members to rejoin (default 30 s). */
  readonly rebalanceTimeoutMs?: number;
  /**
   * Most bytes fetched per partition and request (default 64 KiB; kafkajs's own default is 1 MiB).
   * Tasks process whole fetched batches, one task after the other; small batches make the tasks
   * feeding one repartition topic advance together, as Kafka Streams' small polls
   * (`max.poll.records` 1000) do. With 1 MiB batches, a backlog reaches a downstream windowed
   * aggregation in chunks minutes of event time apart, and emit-on-close windows drop most of it
   * as late.
   */
  readonly maxBytesPerPartition?: number;
  /**
   * How often consumed records of repartition topics are deleted (default 30 s, Kafka Streams'
   * `repartition.purge.interval.ms`). Repartition topics keep records without a time limit
   * (`retention.ms=-1`, so a stopped app loses nothing however long it is down); after a commit,
   * each task deletes what it committed as consumed, with `deleteRecords`. `Infinity`: never
   * purge (the topics then grow without bound; for audits, such as the demo's read-back).
   */
  readonly repartitionPurgeIntervalMs?: number;
  /**
   * Run the topology's external sinks (Parquet tables) in this process (default true). Set false
   * and run them with `WeirSinkApp` in their own processes to scale sinks apart from processing.
   */
  readonly runSinks?: boolean;
}

/** A config with every default applied. */
export interface ResolvedConfig extends Required<Omit<WeirAppConfig, 'stateBackend' | 'repartitionPartitions'>> {
  readonly stateBackend: StateBackendFactory | undefined;
  readonly repartitionPartitions: number | undefined;
}

/**
 * Applies defaults and checks the config.
 * @throws WeirConfigError naming the missing or invalid field
 */
export function resolveConfig(config: WeirAppConfig): ResolvedConfig {
  if (!config || typeof config.applicationId !== 'string' || config.applicationId.trim() === '') {
    throw new WeirConfigError('applicationId is required: it names the consumer group, internal topics and state directory');
  }
  if (!/^[A-Za-z0-9._-]+$/.test(config.applicationId)) {
    throw new WeirConfigError(`applicationId "${config.applicationId}" may only contain letters, digits, ".", "_" and "-"`);
  }
  if (!Array.isArray(config.brokers) || config.brokers.length === 0) {
    throw new WeirConfigError('brokers is required: give at least one bootstrap address, e.g. ["127.0.0.1:9092"]');
  }
  const guarantee = config.processingGuarantee ?? 'exactly_once';
  if (guarantee !== 'exactly_once' && guarantee !== 'at_least_once') {
    throw new WeirConfigError(`processingGuarantee must be "exactly_once" or "at_least_once", got "${String(guarantee)}"`);
  }
  const commitIntervalMs = config.commitIntervalMs ?? (guarantee === 'exactly_once' ? 100 : 30_000);
  if (!(commitIntervalMs > 0)) throw new WeirConfigError(`commitIntervalMs must be positive, got ${commitIntervalMs}`);
  const repartitionPurgeIntervalMs = config.repartitionPurgeIntervalMs ?? 30_000;
  if (!(repartitionPurgeIntervalMs > 0)) throw new WeirConfigError(`repartitionPurgeIntervalMs must be positive, got ${repartitionPurgeIntervalMs}`);
  if (config.maxBytesPerPartition !== undefined && !(Number.isInteger(config.maxBytesPerPartition) && config.maxBytesPerPartition > 0)) {
    throw new WeirConfigError(`maxBytesPerPartition must be a positive integer, got ${config.maxBytesPerPartition}`);
  }
  return {
    applicationId: config.applicationId,
    brokers: [...config.brokers],
    stateDir: config.stateDir ?? join(tmpdir(), 'weir', config.applicationId),
    processingGuarantee: guarantee,
    commitIntervalMs,
    clientId: config.clientId ?? config.applicationId,
    logger: config.logger ?? jsonLogger('info'),
    deserializationErrorHandler: config.deserializationErrorHandler ?? logAndFail,
    processingErrorHandler: config.processingErrorHandler ?? logAndFail,
    repartitionPartitions: config.repartitionPartitions,
    replicationFactor: config.replicationFactor ?? -1,
    connectTimeoutMs: config.connectTimeoutMs ?? 30_000,
    stateBackend: config.stateBackend,
    maxCacheBytesPerStore: config.maxCacheBytesPerStore ?? 10 * 1024 * 1024,
    sessionTimeoutMs: config.sessionTimeoutMs ?? 30_000,
    heartbeatIntervalMs: config.heartbeatIntervalMs ?? 3_000,
    rebalanceTimeoutMs: config.rebalanceTimeoutMs ?? 30_000,
    runSinks: config.runSinks ?? true,
    maxBytesPerPartition: config.maxBytesPerPartition ?? 64 * 1024,
    repartitionPurgeIntervalMs,
  };
}
