import { isBrokerUnavailable } from './broker-errors.js';
import type { ExternalSinkDefinition, OutboxRecord, SinkPartitionWriter, Topology } from '@weir/core';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '../logger.js';
import { Mutex } from './mutex.js';
import { retryWithBackoff } from './retry.js';

/** How often pending sink output is checked against its roll policy (ms). */
const ROLL_CHECK_INTERVAL_MS = 250;

interface PartitionState {
  readonly writer: SinkPartitionWriter<unknown, unknown>;
  /** The next outbox offset the destination does not hold (committed or written-and-pending). */
  next: bigint;
  /** The next offset already committed to the destination. */
  committed: bigint;
}

/**
 * Runs the external sinks of a topology: one consumer group per sink (`<applicationId>-sink-<name>`)
 * reads its outbox topic `read_committed` and feeds each partition's writer.
 *
 * Exactly-once comes from the destination's commit log, not from consumer offsets: on
 * assignment a writer recovers the next offset it lacks from its own log and the consumer seeks
 * there; a commit covers `[previous commit's end, last written offset + 1)`, so consecutive
 * commits are contiguous even across transaction markers, and a zombie writer's commit fails the
 * destination's continuity check. Group offsets are committed afterwards only so that lag tools
 * work.
 */
export class SinkRunner {
  /** The consumer of each outbox topic. */
  private readonly consumers = new Map<string, Consumer>();
  private readonly partitions = new Map<string, PartitionState>();
  private readonly mutex = new Mutex();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly topology: Topology,
    private readonly applicationId: string,
    private readonly logger: Logger,
    private readonly onFatal: (error: Error) => void,
  ) {}

  /** Starts one consumer per sink. */
  async start(): Promise<void> {
    for (const definition of this.topology.externalSinks) await this.startSink(definition);
    this.timer = setInterval(() => void this.mutex.run(() => this.commitDue(false)).catch((e: unknown) => this.onFatal(e as Error)), ROLL_CHECK_INTERVAL_MS);
  }

  /** Commits what every writer holds, closes writers and consumers. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const consumer of this.consumers.values()) await consumer.stop().catch(() => {});
    await this.mutex.run(() => this.commitDue(true)).catch((error: unknown) => {
      this.logger.error('final sink commit failed', { error: (error as Error).message });
    });
    for (const [key, state] of this.partitions) {
      await state.writer.close().catch(() => {});
      this.partitions.delete(key);
    }
    for (const consumer of this.consumers.values()) await consumer.disconnect().catch(() => {});
  }

  private async startSink(definition: ExternalSinkDefinition): Promise<void> {
    const topic = this.topology.outboxTopic(this.applicationId, definition);
    const consumer = this.kafka.consumer({
      groupId: `${this.applicationId}-sink-${definition.sink.name}`,
      readUncommitted: false,
      maxWaitTimeInMs: 200,
      allowAutoTopicCreation: false,
    });
    this.consumers.set(topic, consumer);
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = new Set((payload.memberAssignment[topic] ?? []).map((p) => `${topic}:${p}`));
      void this.mutex.run(async () => {
        for (const [key, state] of [...this.partitions]) {
          if (key.startsWith(`${topic}:`) && !assigned.has(key)) {
            // Not ours any more: drop uncommitted output; the new owner recovers from the log.
            this.partitions.delete(key);
            await state.writer.close().catch(() => {});
          }
        }
      });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return;
      if (isBrokerUnavailable(payload.error)) void this.restartSink(definition, topic, payload.error);
      else this.onFatal(payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) =>
        this.mutex.run(async () => {
          try {
            await this.onBatch(definition, topic, consumer, payload);
          } catch (error) {
            // kafkajs retries what a batch throws, and restarts the consumer without end: right for
            // an unreachable broker, wrong for a sink that cannot write (a full disk, a refused
            // schema), which would retry silently forever. Those stop the app, naming the sink.
            if (isBrokerUnavailable(error)) throw error;
            this.onFatal(error as Error);
          }
        }),
    });
  }

  /**
   * Replaces a sink's consumer that kafkajs gave up on while the brokers were unreachable: its
   * writers drop their pending output (the outbox still holds it) and the new consumer's
   * writers recover from the destination's log, retrying with backoff while the runner runs.
   */
  private async restartSink(definition: ExternalSinkDefinition, topic: string, cause: Error): Promise<void> {
    this.logger.warn('brokers unavailable; restarting the sink consumer', { sink: definition.sink.name, error: cause.message });
    await this.consumers.get(topic)?.disconnect().catch(() => {});
    await this.mutex.run(async () => {
      for (const [key, state] of [...this.partitions]) {
        if (!key.startsWith(`${topic}:`)) continue;
        this.partitions.delete(key);
        await state.writer.close().catch(() => {});
      }
    });
    await retryWithBackoff(
      () => !this.stopped,
      () => this.startSink(definition),
      async (attempt, error) => {
        this.logger.warn('sink consumer restart failed; retrying', { sink: definition.sink.name, attempt, error: error.message });
        await this.consumers.get(topic)?.disconnect().catch(() => {});
      },
    );
  }

  private async onBatch(
    definition: ExternalSinkDefinition,
    topic: string,
    consumer: Consumer,
    { batch, resolveOffset, isRunning, isStale }: EachBatchPayload,
  ): Promise<void> {
    if (this.stopped || !isRunning() || isStale()) return;
    const key = `${topic}:${batch.partition}`;
    let state = this.partitions.get(key);
    if (!state) {
      const writer = definition.sink.openPartition({ applicationId: this.applicationId, outboxTopic: topic, partition: batch.partition });
      const next = await writer.recover();
      state = { writer, next, committed: next };
      this.partitions.set(key, state);
      this.logger.info('sink partition recovered', { sink: definition.sink.name, partition: batch.partition, next: next.toString() });
      if (batch.messages.length > 0 && BigInt(batch.messages[0]!.offset) > next) {
        // The group's offset is ahead of the destination (e.g. a table deleted): go back.
        consumer.seek({ topic, partition: batch.partition, offset: next.toString() });
        return;
      }
    }
    const records: OutboxRecord<unknown, unknown>[] = [];
    for (const m of batch.messages) {
      const offset = BigInt(m.offset);
      if (offset < state.next) continue;
      records.push({
        offset,
        key: definition.sink.keySerde.deserialize(topic, m.key ?? null),
        value: definition.sink.valueSerde.deserialize(topic, m.value ?? null),
        timestamp: Number(m.timestamp),
      });
    }
    if (records.length > 0) {
      await state.writer.write(records);
      state.next = records[records.length - 1]!.offset + 1n;
    }
    for (const m of batch.messages) resolveOffset(m.offset);
    if (state.next > state.committed && state.writer.shouldCommit(Date.now())) await this.commitPartition(consumer, topic, batch.partition, state);
  }

  private async commitDue(all: boolean): Promise<void> {
    const now = Date.now();
    for (const [key, state] of this.partitions) {
      if (state.next <= state.committed) continue;
      if (!all && !state.writer.shouldCommit(now)) continue;
      const at = key.lastIndexOf(':');
      const topic = key.slice(0, at);
      const consumer = this.consumers.get(topic);
      await this.commitPartition(consumer, topic, Number(key.slice(at + 1)), state);
    }
  }

  private async commitPartition(consumer: Consumer | undefined, topic: string, partition: number, state: PartitionState): Promise<void> {
    await state.writer.commit(state.next);
    state.committed = state.next;
    await consumer?.commitOffsets([{ topic, partition, offset: state.next.toString() }]).catch(() => {});
  }
}
