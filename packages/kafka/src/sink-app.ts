import type { Topology } from '@weir/core';
import { Kafka, logLevel } from 'kafkajs';
import { WeirConfigError } from './errors.js';
import { SinkRunner } from './internal/sink-runner.js';
import { jsonLogger, type Logger } from './logger.js';

/** Configuration of a {@link WeirSinkApp}. */
export interface WeirSinkAppConfig {
  /** The application id of the stream app whose outbox topics to read. Required. */
  readonly applicationId: string;
  /** Bootstrap brokers. Required. */
  readonly brokers: readonly string[];
  /** Structured logger (default JSON lines on stderr at `info`). */
  readonly logger?: Logger;
}

/**
 * Runs only the external sinks (Parquet tables) of a topology, in a process of their own, with
 * the same exactly-once guarantee as inside the app: start the app with `runSinks: false` and as
 * many sink processes as you like; outbox partitions are shared among them.
 *
 * @example
 * const sinks = new WeirSinkApp(topology, { applicationId: 'clicks', brokers: ['127.0.0.1:9092'] });
 * await sinks.start();
 */
export class WeirSinkApp {
  private readonly runner: SinkRunner;
  private failure: Error | undefined;

  constructor(topology: Topology, config: WeirSinkAppConfig) {
    if (!config.applicationId) throw new WeirConfigError('applicationId is required: the stream app whose outbox topics to read');
    if (!config.brokers?.length) throw new WeirConfigError('brokers is required');
    if (topology.externalSinks.length === 0) throw new WeirConfigError('the topology has no external sink to run');
    const logger = config.logger ?? jsonLogger('info');
    const kafka = new Kafka({ clientId: `${config.applicationId}-sinks`, brokers: [...config.brokers], logLevel: logLevel.NOTHING });
    this.runner = new SinkRunner(kafka, topology, config.applicationId, logger, (error) => {
      this.failure = error;
      logger.error('sink failed', { error: error.message });
    });
  }

  /** Joins the sink consumer groups and starts writing. */
  start(): Promise<void> {
    return this.runner.start();
  }

  /** Commits pending output and stops. */
  close(): Promise<void> {
    return this.runner.stop();
  }

  /** The error that stopped a sink, if any. */
  get error(): Error | undefined {
    return this.failure;
  }
}
