import { DeserializationError, IllegalStateError, ProcessingError, StateStoreError, WeirError } from '../errors.js';
import {
  type Cancellable,
  type DropReason,
  type Processor,
  PunctuationType,
} from '../processor/processor.js';
import type { RecordMetadata, StreamRecord } from '../record.js';
import type { StateCommit, StoreCheckpoint, StoreRangeDelete, StoreWrite, TaskStateBackend } from '../state/backend.js';
import { StoreBuffer } from '../state/internal/store-buffer.js';
import type { SourceProgress, SourceRecord } from '../source/external-source.js';
import type { StateStore } from '../state/stores.js';
import type { SinkNode, SourceNode, TopologyNode } from '../topology/graph.js';
import type { Subtopology, Topology } from '../topology/topology.js';
import type { InternalProcessorContext } from './internal-context.js';
import type { InputRecord, OutputRecord, RecordCollector } from './output.js';
import { openStore } from './open-store.js';

/** Counters a task keeps (exposed through the runtime's metrics and the TestDriver). */
export interface TaskCounters {
  processed: number;
  dropped: Record<DropReason, number>;
}

/** What a task needs to run. */
export interface TaskOptions {
  readonly applicationId: string;
  readonly topology: Topology;
  readonly subtopology: Subtopology;
  readonly partition: number;
  readonly backend: TaskStateBackend;
  readonly collector: RecordCollector;
  /** Global stores, readable by every task. */
  readonly globalStores?: ReadonlyMap<string, StateStore>;
  /** Wall clock (default `Date.now`); the TestDriver mocks it. */
  readonly wallClock?: () => number;
  /** Record cache budget per store in bytes (default 10 MiB). */
  readonly maxCacheBytesPerStore?: number;
  /** Metadata committed by an earlier owner of this task (stream time, processor metadata). */
  readonly metadata?: TaskMetadata;
}

/** Numbers a task commits with its state so that a restart continues deterministically. */
export interface TaskMetadata {
  readonly streamTime: number;
  readonly processors: Readonly<Record<string, number>>;
  /** How far each external source (by source node) has been read; absent when the task has none. */
  readonly sources?: Readonly<Record<string, SourceProgress>>;
}

/** The part of a commit that a task hands to the runtime. */
export interface PreparedCommit {
  /** Changelog records to send in the commit's transaction. */
  readonly changelog: readonly OutputRecord[];
  /** Task metadata to commit with the input offsets. */
  readonly metadata: TaskMetadata;
}

interface Punctuation {
  readonly node: string;
  readonly type: PunctuationType;
  readonly interval: number;
  next: number;
  readonly callback: (timestamp: number) => void;
  cancelled: boolean;
}

const NO_TIMESTAMP = -1;

/**
 * One task: a sub-topology bound to one input partition, with its processors, stores and stream
 * time. Processing is synchronous and depth-first: `process` runs a record through every
 * processor before returning. Commits are two-phase so that state reaches the durable backend only
 * after the runtime's Kafka transaction committed: `prepareCommit` flushes caches (forwarding
 * cached updates) and returns the changelog records; `completeCommit` writes the state.
 */
export class Task {
  readonly id: string;
  readonly counters: TaskCounters = {
    processed: 0,
    dropped: { late: 0, 'null-key': 0, 'null-value': 0, error: 0, expired: 0 },
  };
  private readonly processors = new Map<string, Processor<unknown, unknown, unknown, unknown>>();
  private readonly contexts = new Map<string, NodeContext>();
  private readonly stores = new Map<string, StateStore>();
  private readonly buffers: StoreBuffer[] = [];
  private readonly changelog: OutputRecord[] = [];
  private readonly punctuations: Punctuation[] = [];
  private readonly processorMetadata = new Map<string, number>();
  private readonly sourceProgress = new Map<string, SourceProgress>();
  private currentRecord: { metadata?: RecordMetadata; timestamp: number } | undefined;
  private streamTime = NO_TIMESTAMP;
  private prepared: { writes: StoreWrite[]; rangeDeletes: StoreRangeDelete[] } | undefined;
  private closed = false;
  private commitRequested = false;

  constructor(private readonly options: TaskOptions) {
    const { topology, subtopology, partition, applicationId } = options;
    this.id = `${subtopology.id}_${partition}`;
    if (options.metadata) {
      this.streamTime = options.metadata.streamTime;
      for (const [k, v] of Object.entries(options.metadata.processors)) this.processorMetadata.set(k, v);
      for (const [k, v] of Object.entries(options.metadata.sources ?? {})) this.sourceProgress.set(k, v);
    }
    const clock = { recordTimestamp: () => this.currentRecord?.timestamp ?? this.streamTime };
    for (const storeName of subtopology.stores) {
      const definition = topology.stores.get(storeName)!;
      const changelogTopic = definition.logging ? topology.changelogTopic(applicationId, storeName) : undefined;
      const buffer = new StoreBuffer(storeName, options.backend.store(storeName), {
        caching: definition.caching,
        maxCacheBytes: options.maxCacheBytesPerStore ?? 10 * 1024 * 1024,
        ...(changelogTopic === undefined
          ? {}
          : {
              changelog: (entry) =>
                this.changelog.push({
                  topic: changelogTopic,
                  key: entry.key,
                  value: entry.value,
                  timestamp: entry.timestamp,
                  headers: {},
                  partition,
                }),
            }),
      });
      this.buffers.push(buffer);
      this.stores.set(storeName, openStore(definition, buffer, clock));
    }
    for (const node of subtopology.nodes) {
      this.contexts.set(node.name, new NodeContext(this, node));
      if (node.kind === 'processor') this.processors.set(node.name, node.supplier());
    }
    for (const [name, processor] of this.processors) {
      this.runInNode(name, () => processor.init?.(this.contexts.get(name)! as unknown as InternalProcessorContext<unknown, unknown>));
    }
  }

  /** The task's stream time: the largest timestamp it has processed (-1 before any). */
  get currentStreamTime(): number {
    return this.streamTime;
  }

  /** Whether a processor asked for a commit since the last one. */
  get needsCommit(): boolean {
    return this.commitRequested;
  }

  /**
   * Runs one consumed record through the sub-topology, then fires due stream-time punctuators.
   * @throws DeserializationError when the source's serdes cannot read the record
   * @throws ProcessingError when a processor throws
   */
  process(input: InputRecord): void {
    this.checkOpen('process');
    const sourceName = this.options.subtopology.sourceNodeByTopic.get(this.localTopic(input.topic));
    if (!sourceName) throw new IllegalStateError(`task ${this.id} does not consume topic ${input.topic}`);
    const source = this.options.topology.nodes.get(sourceName) as SourceNode;
    const metadata: RecordMetadata = { topic: input.topic, partition: input.partition, offset: input.offset };
    let record: StreamRecord<unknown, unknown>;
    try {
      record = {
        key: source.keySerde.deserialize(input.topic, input.key, input.headers),
        value: source.valueSerde.deserialize(input.topic, input.value, input.headers),
        timestamp: input.timestamp,
        headers: input.headers,
      };
    } catch (cause) {
      throw new DeserializationError(
        `cannot deserialize record from ${input.topic}-${input.partition} at offset ${input.offset}: ${(cause as Error).message}`,
        { cause, context: { task: this.id, topic: input.topic, partition: input.partition, offset: input.offset, node: source.name } },
      );
    }
    if (source.timestampExtractor) {
      record = { ...record, timestamp: source.timestampExtractor(record, this.streamTime) };
    }
    if (!(record.timestamp >= 0)) {
      // Spec (Kafka Streams): records with an invalid (negative) timestamp are skipped and counted.
      this.counters.dropped.error++;
      return;
    }
    this.streamTime = Math.max(this.streamTime, record.timestamp);
    this.currentRecord = { metadata, timestamp: record.timestamp };
    try {
      this.forwardFrom(source.name, record, undefined);
      this.counters.processed++;
    } finally {
      this.currentRecord = undefined;
    }
    this.punctuate(PunctuationType.STREAM_TIME, this.streamTime);
  }

  /**
   * Runs one record read from an external source (already decoded) through the sub-topology
   * from source node `nodeName`, as `process` does for a consumed record; then fires due
   * stream-time punctuators. `metadata` is what `recordMetadata()` reports to processors.
   * @throws ProcessingError when a processor throws
   */
  processSource(nodeName: string, input: SourceRecord<unknown, unknown>, metadata?: RecordMetadata): void {
    this.checkOpen('processSource');
    const node = this.options.topology.nodes.get(nodeName);
    if (node?.kind !== 'source' || !this.options.subtopology.nodes.includes(node)) {
      throw new IllegalStateError(`task ${this.id} has no source node ${nodeName}`);
    }
    let record: StreamRecord<unknown, unknown> = { key: input.key, value: input.value, timestamp: input.timestamp, headers: {} };
    if (node.timestampExtractor) record = { ...record, timestamp: node.timestampExtractor(record, this.streamTime) };
    if (!(record.timestamp >= 0)) {
      this.counters.dropped.error++;
      return;
    }
    this.streamTime = Math.max(this.streamTime, record.timestamp);
    this.currentRecord = { ...(metadata ? { metadata } : {}), timestamp: record.timestamp };
    try {
      this.forwardFrom(node.name, record, undefined);
      this.counters.processed++;
    } finally {
      this.currentRecord = undefined;
    }
    this.punctuate(PunctuationType.STREAM_TIME, this.streamTime);
  }

  /** How far external source `nodeName` has been read, as committed or processed since. */
  sourceProgressOf(nodeName: string): SourceProgress {
    return this.sourceProgress.get(nodeName) ?? {};
  }

  /** Records how far external source `nodeName` has been read; committed with the next commit's metadata. */
  setSourceProgress(nodeName: string, progress: SourceProgress): void {
    this.checkOpen('setSourceProgress');
    this.sourceProgress.set(nodeName, progress);
  }

  /** Fires wall-clock punctuators due at `now` (the runtime calls this between batches). */
  punctuateWallClock(now: number = this.wallClock()): void {
    this.checkOpen('punctuateWallClock');
    this.punctuate(PunctuationType.WALL_CLOCK_TIME, now);
  }

  /**
   * First phase of a commit: flushes every store's cache (which may forward records downstream
   * and into sinks) until nothing is dirty, and returns the changelog records of the commit.
   */
  prepareCommit(): PreparedCommit {
    this.checkOpen('prepareCommit');
    if (this.prepared) throw new IllegalStateError(`task ${this.id}: prepareCommit called twice without completeCommit`);
    for (let round = 0; this.buffers.some((b) => b.hasDirty); round++) {
      if (round > 100) throw new IllegalStateError(`task ${this.id}: store flushes keep producing writes`);
      for (const buffer of this.buffers) buffer.flush();
    }
    const writes: StoreWrite[] = [];
    const rangeDeletes: StoreRangeDelete[] = [];
    for (const buffer of this.buffers) {
      const part = buffer.prepareCommit();
      writes.push(...part.writes);
      rangeDeletes.push(...part.rangeDeletes);
    }
    this.prepared = { writes, rangeDeletes };
    const changelog = this.changelog.splice(0);
    this.commitRequested = false;
    return { changelog, metadata: this.metadata() };
  }

  /** Second phase: the transaction committed; write the state with the changelog positions it reflects. */
  completeCommit(checkpoint: StoreCheckpoint = {}): void {
    this.checkOpen('completeCommit');
    if (!this.prepared) throw new IllegalStateError(`task ${this.id}: completeCommit called without prepareCommit`);
    const commit: StateCommit = { ...this.prepared, checkpoint };
    this.options.backend.commit(commit);
    for (const buffer of this.buffers) buffer.completeCommit();
    this.prepared = undefined;
  }

  /** The task's metadata as of now. */
  metadata(): TaskMetadata {
    const metadata: TaskMetadata = { streamTime: this.streamTime, processors: Object.fromEntries(this.processorMetadata) };
    return this.sourceProgress.size === 0 ? metadata : { ...metadata, sources: Object.fromEntries(this.sourceProgress) };
  }

  /** A store of this task, for interactive queries and tests. */
  store<S extends StateStore>(name: string): S | undefined {
    return this.stores.get(name) as S | undefined;
  }

  /** Closes processors; state not committed is discarded (the next owner restores from the changelog). */
  close(): void {
    if (this.closed) return;
    for (const [name, processor] of this.processors) this.runInNode(name, () => processor.close?.());
    this.closed = true;
  }

  // ---- used by NodeContext ----

  /** @internal */
  forwardFrom(nodeName: string, record: StreamRecord<unknown, unknown>, childName: string | undefined): void {
    const children = this.options.topology.children.get(nodeName) ?? [];
    for (const child of children) {
      if (childName !== undefined && child !== childName) continue;
      this.deliver(child, record);
    }
    if (childName !== undefined && !children.includes(childName)) {
      throw new ProcessingError(`node ${nodeName} has no child named ${childName}`, { context: { node: nodeName, task: this.id } });
    }
  }

  /** @internal */
  getStore(nodeName: string, storeName: string): StateStore {
    const node = this.options.topology.nodes.get(nodeName);
    const allowed = node?.kind === 'processor' && node.stores.includes(storeName);
    const store = this.stores.get(storeName) ?? this.options.globalStores?.get(storeName);
    if (!allowed || !store) {
      throw new StateStoreError(`processor ${nodeName} has no access to store ${storeName}: connect it when adding the processor`, {
        context: { node: nodeName, store: storeName, task: this.id },
      });
    }
    return store;
  }

  /** @internal */
  schedule(node: string, interval: number, type: PunctuationType, callback: (timestamp: number) => void): Cancellable {
    if (!(interval >= 1)) throw new RangeError(`punctuation interval must be at least 1 ms, got ${interval}`);
    // Spec (Kafka Streams): stream-time punctuation is aligned to 0 and fires as soon as data
    // arrives; wall-clock punctuation first fires one interval from now.
    const next = type === PunctuationType.STREAM_TIME ? 0 : this.wallClock() + interval;
    const punctuation: Punctuation = { node, type, interval, next, callback, cancelled: false };
    this.punctuations.push(punctuation);
    return {
      cancel: () => {
        punctuation.cancelled = true;
      },
    };
  }

  /** @internal */
  recordMetadata(): RecordMetadata | undefined {
    return this.currentRecord?.metadata;
  }

  /** @internal */
  wallClock(): number {
    return (this.options.wallClock ?? Date.now)();
  }

  /** @internal */
  requestCommit(): void {
    this.commitRequested = true;
  }

  /** @internal */
  getProcessorMetadata(key: string): number | undefined {
    return this.processorMetadata.get(key);
  }

  /** @internal */
  setProcessorMetadata(key: string, value: number): void {
    this.processorMetadata.set(key, value);
  }

  /** @internal */
  get applicationId(): string {
    return this.options.applicationId;
  }

  private deliver(nodeName: string, record: StreamRecord<unknown, unknown>): void {
    const node = this.options.topology.nodes.get(nodeName)!;
    if (node.kind === 'sink') {
      this.sendToSink(node, record);
      return;
    }
    const processor = this.processors.get(nodeName);
    if (!processor) return;
    // Spec (Kafka Streams' ProcessorContextImpl.forward): the child runs in the context of the
    // record it receives, so its store writes carry that record's timestamp, also when a cache
    // flush forwards outside of processing.
    const previous = this.currentRecord;
    this.currentRecord = { ...previous, timestamp: record.timestamp };
    try {
      processor.process(record);
    } catch (cause) {
      if (cause instanceof WeirError && cause.context.node !== undefined) throw cause;
      const meta = this.currentRecord?.metadata;
      throw new ProcessingError(`processor ${nodeName} failed: ${(cause as Error)?.message ?? String(cause)}`, {
        cause,
        context: { node: nodeName, task: this.id, ...(meta ?? {}) },
      });
    } finally {
      this.currentRecord = previous;
    }
  }

  private sendToSink(node: SinkNode, record: StreamRecord<unknown, unknown>): void {
    const topic = typeof node.topic === 'string' ? node.topic : node.topic(record);
    const fullTopic = node.internal ? `${this.options.applicationId}-${topic}` : topic;
    const key = node.keySerde.serialize(fullTopic, record.key, record.headers);
    const value = node.valueSerde.serialize(fullTopic, record.value, record.headers);
    const partitioner = node.partitioner;
    this.options.collector.send({
      topic: fullTopic,
      key,
      value,
      timestamp: record.timestamp,
      headers: record.headers,
      ...(partitioner ? { partitioner: (n: number) => partitioner(fullTopic, record.key, record.value, n) } : {}),
    });
  }

  private punctuate(type: PunctuationType, now: number): void {
    if (now < 0) return;
    for (const p of this.punctuations) {
      if (p.cancelled || p.type !== type || p.next > now) continue;
      const previousRecord = this.currentRecord;
      this.currentRecord = { timestamp: now };
      try {
        this.runInNode(p.node, () => p.callback(now));
      } finally {
        this.currentRecord = previousRecord;
      }
      // Spec (Kafka Streams' PunctuationSchedule.next): missed intervals are skipped, the
      // schedule stays aligned to its original phase.
      const next = p.next + p.interval;
      p.next = now >= next ? now - ((now - p.next) % p.interval) + p.interval : next;
    }
  }

  private runInNode(_node: string, action: () => void): void {
    action();
  }

  private localTopic(topic: string): string {
    const prefix = `${this.options.applicationId}-`;
    if (topic.startsWith(prefix)) {
      const local = topic.slice(prefix.length);
      if (this.options.topology.internalTopicNames.has(local)) return local;
    }
    return topic;
  }

  private checkOpen(method: string): void {
    if (this.closed) throw new IllegalStateError(`task ${this.id}: ${method}() called after close()`);
  }
}

/** The context of one node within a task. */
class NodeContext implements InternalProcessorContext<unknown, unknown> {
  constructor(
    private readonly task: Task,
    private readonly node: TopologyNode,
  ) {}

  get applicationId(): string {
    return this.task.applicationId;
  }

  get taskId(): string {
    return this.task.id;
  }

  get nodeName(): string {
    return this.node.name;
  }

  forward(record: StreamRecord<unknown, unknown>, childName?: string): void {
    this.task.forwardFrom(this.node.name, record, childName);
  }

  getStateStore<S extends StateStore>(name: string): S {
    return this.task.getStore(this.node.name, name) as S;
  }

  schedule(intervalMs: number, type: PunctuationType, punctuator: (timestamp: number) => void): Cancellable {
    return this.task.schedule(this.node.name, intervalMs, type, punctuator);
  }

  recordMetadata(): RecordMetadata | undefined {
    return this.task.recordMetadata();
  }

  currentStreamTimeMs(): number {
    return this.task.currentStreamTime;
  }

  currentSystemTimeMs(): number {
    return this.task.wallClock();
  }

  commit(): void {
    this.task.requestCommit();
  }

  recordDropped(reason: DropReason): void {
    this.task.counters.dropped[reason]++;
  }

  processorMetadata(key: string): number | undefined {
    return this.task.getProcessorMetadata(key);
  }

  setProcessorMetadata(key: string, value: number): void {
    this.task.setProcessorMetadata(key, value);
  }
}
