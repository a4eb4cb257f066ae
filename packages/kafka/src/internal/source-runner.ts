import { backfillStartOffset, defaultPartition, type ExternalSourceDefinition, type SourceRecord, type Topology } from '@weir/core';
import type { Logger } from '../logger.js';
import { SourcePrefetcher } from './source-prefetch.js';
import type { StreamTask } from './stream-task.js';
import { type TaskId, taskIdString } from './task-assignor.js';

/** What source drivers need from the app. */
export interface SourceRunnerContext {
  readonly applicationId: string;
  readonly topology: Topology;
  readonly logger: Logger;
  fullTopic(topic: string): string;
  /** Runs `action` under the app's processing lock (batches, commits and rebalances are serialized by it). */
  locked<T>(action: () => Promise<T>): Promise<T>;
  /** Under the lock: the task, created (fenced, offsets and metadata read, state restored) if needed. */
  task(taskId: TaskId): Promise<StreamTask>;
  /** Under the lock: whether this instance is assigned the task now (a lost consumer drops every assignment). */
  owns(id: string): boolean;
  /** The live task of that id, if any (a failed commit replaces it). */
  current(id: string): StreamTask | undefined;
  /** Under the lock, after a batch: commits when due, as after a consumed batch. */
  afterBatch(): Promise<void>;
  partitionCount(topic: string): Promise<number>;
  pause(topic: string, partition: number): void;
  /** Resumes fetching, from `offset` when given (else where the consumer is). */
  resume(topic: string, partition: number, offset?: bigint): void;
  fail(error: Error): void;
}

const IDLE_POLL_MS = 250;
/** Records read ahead of processing, per source task. */
const READ_AHEAD_RECORDS = 50_000;

/**
 * Reads external sources and backfills for the tasks this instance owns. A task is created when
 * its partition is assigned (a source's position topic never has a record, so no consumed batch
 * would create it); a driver per task and source then reads batches outside the lock and processes
 * each under it, like a consumed batch, recording the position reached so the commit carries it.
 */
export class SourceRunner {
  private readonly drivers = new Map<string, SourceDriver>();

  constructor(private readonly context: SourceRunnerContext) {}

  /** Starts drivers for newly assigned tasks with a source or backfill; stops those of tasks lost. */
  onAssignment(assigned: ReadonlySet<string>): void {
    const wanted = new Map<string, { definition: ExternalSourceDefinition; taskId: TaskId }>();
    const { topology } = this.context;
    for (const definition of topology.externalSources) {
      const sub = topology.subtopologyOf(definition.kind === 'stream' ? definition.positionTopic! : definition.topic!);
      if (!sub) continue;
      for (const id of assigned) {
        const [subId, partition] = id.split('_').map(Number) as [number, number];
        if (subId === sub.id) wanted.set(`${id}/${definition.nodeName}`, { definition, taskId: { subtopology: subId, partition } });
      }
    }
    for (const [key, driver] of [...this.drivers]) {
      if (wanted.has(key)) continue;
      driver.stop();
      this.drivers.delete(key);
    }
    for (const [key, { definition, taskId }] of wanted) {
      // A driver that stopped on its own (its task was dropped meanwhile) is replaced.
      if (!this.drivers.get(key)?.running) this.drivers.set(key, new SourceDriver(this.context, definition, taskId));
    }
  }

  /** Stops every driver (a batch being read is dropped: the next owner resumes from the commit). */
  async stop(): Promise<void> {
    const drivers = [...this.drivers.values()];
    this.drivers.clear();
    for (const driver of drivers) driver.stop();
    await Promise.all(drivers.map((d) => d.done));
  }
}

/** Reads one source (or backfill) for one task, for as long as this instance owns the task. */
class SourceDriver {
  readonly done: Promise<void>;
  /** False once the driver's loop returned. */
  running = true;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly context: SourceRunnerContext,
    private readonly definition: ExternalSourceDefinition,
    private readonly taskId: TaskId,
  ) {
    this.done = this.run()
      .catch((error: unknown) => {
        if (!this.stopped) context.fail(error as Error);
      })
      .finally(() => {
        this.running = false;
      });
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort(new Error('source task stopped'));
  }

  private async run(): Promise<void> {
    const context = this.context;
    const definition = this.definition;
    const taskId = this.taskId;
    const id = taskIdString(taskId);
    const node = definition.nodeName;
    const backfill = definition.kind === 'backfill';
    // The topic-partition whose committed offset carries the task metadata (with the position).
    const topic = context.fullTopic(backfill ? definition.topic! : definition.positionTopic!);
    const partition = taskId.partition;
    let start = 0n;
    let keep: ((key: unknown) => boolean) | undefined;
    if (backfill) {
      context.pause(topic, partition);
      start = await backfillStartOffset(definition, definition.topic!, partition);
      const partitions = await context.partitionCount(topic);
      const sourceNode = context.topology.nodes.get(node);
      if (partitions > 1 && sourceNode?.kind === 'source') {
        // The records this partition held: the default partitioner over the topic's key serde.
        keep = (key) => defaultPartition(sourceNode.keySerde.serialize(topic, key) ?? null, partitions) === partition;
      }
    }
    const positionKey = { topic, partition, offset: start };
    let task: StreamTask | undefined;
    let reader: SourcePrefetcher<unknown, unknown> | undefined;
    let position: string | undefined;
    let ended = false;
    try {
      while (!this.stopped) {
        // Never (re)creates a task this instance does not own: that would fence its real owner.
        const current = await context.locked(async () => (this.stopped || !context.owns(id) ? undefined : context.task(taskId)));
        if (!current) return;
        if (current !== task) {
          // A new task (first start, or after a failed commit): resume from what it committed.
          await reader?.close();
          reader = undefined;
          task = current;
          const progress = task.core.sourceProgressOf(node);
          position = progress.position;
          ended = progress.ended === true;
          if (ended) {
            // Ended in an earlier commit: the topic continues from its committed offset.
            if (backfill) context.resume(topic, partition);
          } else {
            if (backfill) context.pause(topic, partition);
            const opened = await definition.source.open({ applicationId: context.applicationId, position, signal: this.abort.signal });
            reader = new SourcePrefetcher(opened, READ_AHEAD_RECORDS);
            context.logger.info(backfill ? 'backfill started' : 'source started', { task: id, source: definition.source.name, position });
          }
        }
        if (ended) {
          // A bounded source idles once read; it reads again only if its end fails to commit.
          await sleep(IDLE_POLL_MS);
          continue;
        }
        const batches = await reader!.take();
        await context.locked(async () => {
          if (this.stopped || context.current(id) !== task) return;
          if (batches) {
            // Everything read meanwhile, processed as one batch: the position is the last one's.
            const records: SourceRecord<unknown, unknown>[] = [];
            for (const batch of batches) for (const r of batch.records) if (!keep || keep(r.key)) records.push(r);
            position = batches[batches.length - 1]!.position;
            task!.processSourceBatch(node, records, { position }, positionKey);
          } else {
            task!.processSourceBatch(node, [], { ...(position === undefined ? {} : { position }), ended: true }, positionKey);
            ended = true;
            if (backfill) {
              task!.release(topic, partition, start);
              context.resume(topic, partition, start);
            }
            context.logger.info(backfill ? 'backfill ended' : 'source ended', { task: id, source: definition.source.name });
          }
          await context.afterBatch();
        });
        if (ended) {
          await reader?.close();
          reader = undefined;
        }
      }
    } finally {
      await reader?.close().catch(() => {});
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
