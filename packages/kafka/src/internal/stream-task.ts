import {
  DeserializationError,
  type InputRecord,
  type OutputRecord,
  ProcessingError,
  type SourceProgress,
  type SourceRecord,
  Task,
  type TaskMetadata,
  type StateStore,
  type TaskStateBackend,
  type Topology,
} from '@weir/core';
import type { KafkaMessage, Message, Producer } from 'kafkajs';
import type { ErrorHandler } from '../error-handlers.js';
import { WeirRuntimeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { type EndOffsets, topicPartitionKey } from './commit-sender.js';
import { fromKafkaHeaders, toKafkaMessage } from './kafka-records.js';
import type { TaskId } from './task-assignor.js';

/** Everything a stream task needs from the app. */
export interface StreamTaskContext {
  readonly applicationId: string;
  readonly topology: Topology;
  readonly logger: Logger;
  readonly deserializationErrorHandler: ErrorHandler;
  readonly processingErrorHandler: ErrorHandler;
  readonly maxCacheBytesPerStore: number;
  readonly globalStores?: ReadonlyMap<string, StateStore>;
  /** Full topic name of a node-level topic name. */
  fullTopic(topic: string): string;
  /** Partition count of a topic (fetched once and cached). */
  partitionCount(topic: string): Promise<number>;
}

/** Where the commit of a task goes: one Kafka transaction (exactly-once) or plain sends (at-least-once). */
export interface CommitSink {
  /**
   * Sends records and the input positions atomically (or as close as the guarantee allows).
   * @returns the offset after the last record sent to each explicitly chosen topic-partition
   */
  commit(
    task: StreamTask,
    records: Array<{ topic: string; messages: Message[] }>,
    offsets: Array<{ topic: string; partition: number; offset: string; metadata: string }>,
  ): Promise<EndOffsets>;
}

/**
 * One task running on Kafka: the core task plus its input positions, its output buffer and the
 * commit protocol.
 *
 * Commit protocol (exactly-once): prepare the core task (flush caches: the changelog records),
 * then in ONE Kafka transaction send outputs, dead letters and changelog records and the input
 * offsets (with the task's stream-time metadata); only after the transaction committed is the
 * state written to LMDB, with the changelog offsets it reflects. A crash at any point leaves
 * Kafka as the truth and LMDB behind it, never ahead; restore replays the changelog gap.
 */
export class StreamTask {
  readonly id: string;
  private readonly outputs: OutputRecord[] = [];
  /** Next offset to process per source topic-partition (committed or processed). */
  private readonly positions = new Map<string, bigint>();
  /** The input positions of the last successful commit (or those the task started from). */
  private committedPositions: ReadonlyMap<string, bigint>;
  /** Changelog topic of each logged store (store name to full topic name). */
  private readonly changelogs: ReadonlyMap<string, string>;
  /** Topic-partitions not to process yet (a backfill runs first). */
  private readonly held = new Set<string>();
  private dirty = false;
  private processedSinceCommit = 0;
  readonly core: Task;

  constructor(
    readonly taskId: TaskId,
    private readonly context: StreamTaskContext,
    readonly backend: TaskStateBackend,
    readonly sourceTopics: readonly string[],
    committed: ReadonlyMap<string, bigint>,
    metadata: TaskMetadata | undefined,
    readonly producer: Producer | undefined,
  ) {
    this.id = `${taskId.subtopology}_${taskId.partition}`;
    for (const [topic, offset] of committed) this.positions.set(topic, offset);
    this.committedPositions = new Map(committed);
    this.changelogs = context.topology.internalTopics(context.applicationId).changelogs;
    const subtopology = context.topology.subtopologies[taskId.subtopology]!;
    this.core = new Task({
      applicationId: context.applicationId,
      topology: context.topology,
      subtopology,
      partition: taskId.partition,
      backend,
      collector: { send: (record) => this.outputs.push(record) },
      maxCacheBytesPerStore: context.maxCacheBytesPerStore,
      ...(context.globalStores ? { globalStores: context.globalStores } : {}),
      ...(metadata ? { metadata } : {}),
    });
    // A topic with a backfill is not processed before the backfill ended for this partition.
    for (const source of context.topology.externalSources) {
      if (source.kind !== 'backfill' || !subtopology.nodes.some((n) => n.name === source.nodeName)) continue;
      if (!this.core.sourceProgressOf(source.nodeName).ended) this.hold(context.fullTopic(source.topic!), taskId.partition);
    }
  }

  /** Whether the task processed anything since its last commit. */
  get needsCommit(): boolean {
    return this.dirty || this.core.needsCommit;
  }

  /** The committed position (next offset to read) of `topic` on this task's partition, if any. */
  committedPosition(topic: string): bigint | undefined {
    return this.committedPositions.get(topicPartitionKey(topic, this.taskId.partition));
  }

  /** Records processed since the last commit. */
  get pendingRecords(): number {
    return this.processedSinceCommit;
  }

  /**
   * Processes consumed messages of one partition, synchronously. Messages before the committed
   * position are skipped: a consumer may fetch from a stale position after a rebalance.
   * @returns the offsets processed (for the consumer to resolve)
   */
  processMessages(topic: string, partition: number, messages: readonly KafkaMessage[], onProcessed: (offset: string) => void): void {
    const key = `${topic}:${partition}`;
    // Left unresolved: the consumer fetches them again once the partition is released.
    if (this.held.has(key)) return;
    let position = this.positions.get(key) ?? 0n;
    for (const message of messages) {
      const offset = BigInt(message.offset);
      if (offset < position) {
        onProcessed(message.offset);
        continue;
      }
      this.processOne({
        topic,
        partition,
        offset: message.offset,
        key: message.key ?? null,
        value: message.value ?? null,
        timestamp: Number(message.timestamp),
        headers: fromKafkaHeaders(message.headers),
      });
      position = offset + 1n;
      this.positions.set(key, position);
      this.dirty = true;
      this.processedSinceCommit++;
      onProcessed(message.offset);
    }
  }

  /**
   * Processes records read from external source (or backfill) `nodeName`, synchronously, and
   * records `progress` to commit with them. `positionKey` is the topic-partition whose committed
   * offset carries the task metadata (the source's position topic, or the backfilled topic's
   * partition at the offset where it continues).
   */
  processSourceBatch(
    nodeName: string,
    records: readonly SourceRecord<unknown, unknown>[],
    progress: SourceProgress,
    positionKey: { topic: string; partition: number; offset: bigint },
  ): void {
    const key = `${positionKey.topic}:${positionKey.partition}`;
    if (!this.positions.has(key)) this.positions.set(key, positionKey.offset);
    const source = this.context.topology.externalSourceOf(nodeName)?.source;
    for (const record of records) {
      // The error handlers see the record serialized with the source's serdes (dead letters hold bytes).
      const input = (): InputRecord => ({
        topic: source?.name ?? nodeName,
        partition: this.taskId.partition,
        offset: '-1',
        key: source ? source.keySerde.serialize(source.name, record.key) : null,
        value: source ? source.valueSerde.serialize(source.name, record.value) : null,
        timestamp: record.timestamp,
        headers: {},
      });
      this.guarded(input, () => this.core.processSource(nodeName, record));
    }
    this.core.setSourceProgress(nodeName, progress);
    this.dirty = true;
    this.processedSinceCommit += records.length;
  }

  /** Stops processing consumed messages of `topic:partition` until {@link release} (a backfill runs first). */
  hold(topic: string, partition: number): void {
    this.held.add(`${topic}:${partition}`);
  }

  /** Processes consumed messages of `topic:partition` again, from `offset` unless already past it. */
  release(topic: string, partition: number, offset: bigint): void {
    const key = `${topic}:${partition}`;
    this.held.delete(key);
    if ((this.positions.get(key) ?? -1n) < offset) this.positions.set(key, offset);
  }

  private processOne(record: InputRecord): void {
    this.guarded(
      () => record,
      () => this.core.process(record),
    );
  }

  /** Runs `process`; a deserialization or processing failure goes to its error handler with `input()`. */
  private guarded(input: () => InputRecord, process: () => void): void {
    try {
      process();
    } catch (error) {
      const stage = error instanceof DeserializationError ? 'deserialization' : error instanceof ProcessingError ? 'processing' : undefined;
      if (!stage) throw error;
      const record = input();
      const handler = stage === 'deserialization' ? this.context.deserializationErrorHandler : this.context.processingErrorHandler;
      const decision = handler.handle({ record, error: error as Error, stage });
      this.context.logger.warn(`${stage} failed`, {
        task: this.id,
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        error: (error as Error).message,
        response: decision.response,
      });
      if (decision.response === 'fail') {
        throw new WeirRuntimeError(`${stage} of ${record.topic}-${record.partition}@${record.offset} failed: ${(error as Error).message}`, {
          cause: error,
          context: { task: this.id, topic: record.topic, partition: record.partition, offset: record.offset },
        });
      }
      this.core.counters.dropped.error++;
      if (decision.produce) this.outputs.push(...decision.produce);
    }
  }

  /** Wall-clock punctuation between batches. */
  punctuate(now: number): void {
    this.core.punctuateWallClock(now);
    if (this.outputs.length > 0) this.dirty = true;
  }

  /**
   * Commits the task through `sink`; then writes its state with the changelog positions reached.
   * On failure the task must be discarded (its in-memory progress is not committed).
   */
  async commit(sink: CommitSink): Promise<void> {
    const prepared = this.core.prepareCommit();
    const records = [...this.outputs.splice(0), ...prepared.changelog];
    const byTopic = new Map<string, Message[]>();
    for (const record of records) {
      const partitions = record.partition === undefined && record.partitioner ? await this.context.partitionCount(record.topic) : undefined;
      const list = byTopic.get(record.topic) ?? [];
      list.push(toKafkaMessage(record, partitions));
      byTopic.set(record.topic, list);
    }
    const changelogTopics = new Set(prepared.changelog.map((record) => record.topic));
    const metadata = JSON.stringify(prepared.metadata);
    // The positions this commit records: once it succeeded, the task's committed positions.
    const committing = new Map(this.positions);
    const offsets = [...committing].map(([key, offset]) => {
      const at = key.lastIndexOf(':');
      return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)), offset: offset.toString(), metadata };
    });
    const ends = await sink.commit(
      this,
      [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      offsets,
    );
    this.committedPositions = committing;
    const checkpoint: Record<string, string> = {};
    for (const [store, topic] of this.changelogs) {
      if (!changelogTopics.has(topic)) continue;
      const end = ends.get(topicPartitionKey(topic, this.taskId.partition));
      // The transaction committed, but without the offset LMDB cannot be checkpointed: the caller
      // discards the task, which restores from the changelog (safe, only slower).
      if (end === undefined) throw new WeirRuntimeError(`no produce result for changelog ${topic}-${this.taskId.partition}`);
      checkpoint[store] = end.toString();
    }
    this.core.completeCommit(checkpoint);
    this.dirty = false;
    this.processedSinceCommit = 0;
  }

  /** Closes the core task and its state (uncommitted progress is dropped). */
  close(): void {
    this.core.close();
    this.backend.close();
  }
}
