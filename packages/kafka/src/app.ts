import {
  type DropReason,
  GlobalStateTask,
  InMemoryStateBackendFactory,
  openCommittedStore,
  type ReadOnlyKeyValueStore,
  type ReadOnlySessionStore,
  type ReadOnlyWindowStore,
  type StateBackendFactory,
  type TaskMetadata,
  type TaskStateBackend,
  type Topology,
} from '@weir/core';
import { LmdbStateBackendFactory } from '@weir/state';
import { type Admin, type Consumer, type EachBatchPayload, Kafka, type KafkaMessage, logLevel, type Producer } from 'kafkajs';
import { BehaviorSubject, type Observable } from 'rxjs';
import { resolveConfig, type ResolvedConfig, type WeirAppConfig } from './config.js';
import { CommitMetadataTooLargeError, RecordRejectedError, WeirConfigError, WeirRuntimeError } from './errors.js';
import { isBrokerUnavailable } from './internal/broker-errors.js';
import { sendInRequests } from './internal/commit-sender.js';
import { retryWithBackoff } from './internal/retry.js';
import { readPartitions } from './internal/partition-reader.js';
import { SinkRunner } from './internal/sink-runner.js';
import { SourceRunner } from './internal/source-runner.js';
import { type CommitSink, StreamTask } from './internal/stream-task.js';
import { type TaskId, taskAssigner, taskIdString } from './internal/task-assignor.js';
import { createInternalTopics, planTopics, type TopicPlan } from './internal/topic-plan.js';
import { Mutex } from './internal/mutex.js';
import { RepartitionPurger } from './internal/repartition-purger.js';
import { compositeKeyValueStore, compositeSessionStore, compositeWindowStore } from './interactive-queries.js';
import { type AppMetrics, MetricsRecorder } from './metrics.js';

/** Lifecycle states of an app (Kafka Streams' `KafkaStreams.State`). */
export type AppState = 'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'ERROR';

/** How long {@link WeirApp.close} waits for the graceful part (final commit) by default. */
const CLOSE_TIMEOUT_MS = 60_000;
/** How long each client gets to disconnect at shutdown. */
const DISCONNECT_TIMEOUT_MS = 10_000;

/**
 * Runs a topology as a stream app on Kafka (Kafka Streams' `KafkaStreams`).
 *
 * One consumer group (the application id) reads every source topic; partitions are handed out by
 * task, a task being a sub-topology bound to one partition. Each task commits on its own: with
 * exactly-once, one transaction per commit through its own transactional producer
 * (`<applicationId>-<taskId>`), so an instance that lost a task can no longer commit for it.
 *
 * @example
 * const app = new WeirApp(builder.build(), { applicationId: 'clicks', brokers: ['127.0.0.1:9092'] });
 * app.state$.subscribe((s) => console.log(s));
 * await app.start();
 * // ...
 * await app.close();
 */
export class WeirApp {
  private readonly config: ResolvedConfig;
  private readonly stateSubject = new BehaviorSubject<AppState>('CREATED');
  private readonly kafka: Kafka;
  private readonly mutex = new Mutex();
  private readonly tasks = new Map<string, StreamTask>();
  private readonly creating = new Map<string, Promise<StreamTask>>();
  private readonly metricsRecorder = new MetricsRecorder();
  private readonly partitionCounts = new Map<string, number>();
  private readonly stateBackend: StateBackendFactory;
  private admin: Admin | undefined;
  private consumer: Consumer | undefined;
  private sharedProducer: Producer | undefined;
  private global: { task: GlobalStateTask; consumer: Consumer } | undefined;
  private sinks: SinkRunner | undefined;
  private sources: SourceRunner | undefined;
  private plan: TopicPlan | undefined;
  private purger: RepartitionPurger | undefined;
  private assigned = new Set<string>();
  private lastCommit = Date.now();
  private commitTimer: NodeJS.Timeout | undefined;
  private signalHandler: (() => void) | undefined;
  private failure: Error | undefined;
  /** The shutdown started by a failure, for close() to wait on. */
  private stopping: Promise<void> | undefined;
  /** Whether {@link recoverConsumer} is replacing the consumer. */
  private recovering = false;

  /**
   * @throws WeirConfigError when the configuration is incomplete or invalid
   */
  constructor(
    /** The topology this app runs. */
    readonly topology: Topology,
    config: WeirAppConfig,
  ) {
    this.config = resolveConfig(config);
    this.stateBackend = this.config.stateBackend ?? new LmdbStateBackendFactory({ stateDir: this.config.stateDir });
    this.kafka = new Kafka({
      clientId: this.config.clientId,
      brokers: [...this.config.brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      retry: { retries: 12, initialRetryTime: 200, maxRetryTime: 5000 },
    });
  }

  /** The app's lifecycle as an Observable: the current state first, then every change. */
  get state$(): Observable<AppState> {
    return this.stateSubject.asObservable();
  }

  /** The current state. */
  get state(): AppState {
    return this.stateSubject.value;
  }

  /**
   * Connects, checks source topics, creates internal topics, loads global tables and joins the
   * consumer group. Resolves once the app consumes.
   * @throws WeirConfigError when brokers cannot be reached in time or a source topic is missing
   */
  async start(options: { handleSignals?: boolean } = {}): Promise<void> {
    if (this.state !== 'CREATED') throw new WeirRuntimeError(`start() called in state ${this.state}`);
    const { config } = this;
    this.setState('REBALANCING');
    try {
      this.admin = this.kafka.admin({ retry: { retries: 0 } });
      await withTimeout(this.admin.connect(), config.connectTimeoutMs, () => {
        return new WeirConfigError(
          `cannot reach Kafka brokers ${config.brokers.join(', ')} within ${config.connectTimeoutMs} ms: check the addresses and that the cluster runs`,
        );
      });
      this.plan = await planTopics(this.admin, this.topology, config.applicationId, config);
      for (const [topic, n] of this.plan.partitions) this.partitionCounts.set(topic, n);
      await createInternalTopics(this.admin, this.plan);
      const repartitionTopics = new Set(this.topology.internalTopics(config.applicationId).repartition);
      this.purger = new RepartitionPurger(this.admin, repartitionTopics, config.repartitionPurgeIntervalMs, config.logger);
      if (config.processingGuarantee === 'at_least_once') {
        this.sharedProducer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
        await this.sharedProducer.connect();
      }
      await this.startGlobalStores();
      if (this.topology.externalSources.length > 0) this.sources = this.sourceRunner();
      await this.startConsumer();
      if (config.runSinks && this.topology.externalSinks.length > 0) {
        this.sinks = new SinkRunner(this.kafka, this.topology, config.applicationId, config.logger, (error) => void this.fail(error));
        await this.sinks.start();
      }
      this.commitTimer = setInterval(() => void this.commitIfDue(true), Math.max(10, Math.floor(config.commitIntervalMs / 2)));
      if (options.handleSignals ?? true) this.installSignalHandlers();
    } catch (error) {
      await this.shutdown().catch(() => {});
      this.setState('ERROR');
      throw error;
    }
  }

  /**
   * Stops gracefully: finishes the batch in progress, commits every task, closes stores and
   * leaves the group. Bounded, as Kafka Streams' `close(Duration)`: when the graceful part takes
   * longer than `timeoutMs` (a broker that does not answer), the app closes without its final
   * commit; the next owner of its tasks resumes from the last commit, so nothing is lost or
   * duplicated, only redone.
   * @param options.timeoutMs - default 60 s
   */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.state === 'NOT_RUNNING' || this.state === 'PENDING_SHUTDOWN') return;
    if (this.state === 'ERROR') {
      await this.stopping;
      return;
    }
    this.setState('PENDING_SHUTDOWN');
    const timeoutMs = options.timeoutMs ?? CLOSE_TIMEOUT_MS;
    const drain = async () => {
      await this.consumer?.stop().catch(() => {});
      await this.sources?.stop();
      await this.mutex.run(() => this.commitAll()).catch((error: unknown) => {
        this.config.logger.error('final commit failed', { error });
      });
      await this.sinks?.stop();
    };
    await withTimeout(drain(), timeoutMs, () => new WeirRuntimeError(`graceful shutdown took longer than ${timeoutMs} ms`)).catch((error: unknown) => {
      this.config.logger.error('closing without the final commit: the next owner resumes from the last one', { error: (error as Error).message });
    });
    await this.shutdown();
    this.setState('NOT_RUNNING');
  }

  /** A snapshot of this instance's metrics. */
  metrics(): AppMetrics {
    const dropped: Record<DropReason, number> = { ...this.metricsRecorder.closedDropped };
    let processed = this.metricsRecorder.closedProcessed.value;
    const storeSizes: Record<string, number> = {};
    for (const task of this.tasks.values()) {
      processed += task.core.counters.processed;
      for (const reason of Object.keys(dropped) as DropReason[]) dropped[reason] += task.core.counters.dropped[reason];
      for (const name of this.topology.subtopologies[task.taskId.subtopology]!.stores) {
        const store = task.backend.store(name);
        storeSizes[name] = (storeSizes[name] ?? 0) + store.approximateNumEntries();
      }
    }
    return {
      recordsProcessed: processed,
      recordsDropped: dropped,
      commits: this.metricsRecorder.commits,
      commitLatencyMs: { last: this.metricsRecorder.lastCommitMs, max: this.metricsRecorder.maxCommitMs },
      lag: Object.fromEntries(this.metricsRecorder.lag),
      storeSizes,
      tasks: [...this.tasks.keys()].sort(),
    };
  }

  /**
   * A read-only view of state store `name` across this instance's tasks, for interactive queries:
   * committed state only, safe to call while the app processes records. Cast it to the store's
   * read-only interface (`ReadOnlyKeyValueStore`, `ReadOnlyWindowStore`, `ReadOnlySessionStore`).
   * @throws WeirRuntimeError when the topology has no store of that name
   * @example
   * const counts = app.queryStore('views-per-page') as ReadOnlyWindowStore<string, ValueAndTimestamp<number>>;
   * for (const entry of counts.fetchRange('/home', from, to)) console.log(entry.windowStart, entry.value.value);
   */
  queryStore(name: string): ReadOnlyKeyValueStore<unknown, unknown> | ReadOnlyWindowStore<unknown, unknown> | ReadOnlySessionStore<unknown, unknown> {
    const definition = this.topology.stores.get(name);
    if (!definition) throw new WeirRuntimeError(`no state store named "${name}" in this topology`, { context: { store: name } });
    const parts = () =>
      [...this.tasks.values()]
        .filter((task) => this.topology.subtopologies[task.taskId.subtopology]!.stores.includes(name))
        .map((task) => openCommittedStore(definition, task.backend.store(name)));
    switch (definition.type) {
      case 'keyValue':
        return compositeKeyValueStore(parts as unknown as () => ReadOnlyKeyValueStore<unknown, unknown>[]);
      case 'window':
        return compositeWindowStore(parts as unknown as () => ReadOnlyWindowStore<unknown, unknown>[]);
      case 'session':
        return compositeSessionStore(parts as unknown as () => ReadOnlySessionStore<unknown, unknown>[]);
    }
  }

  /** The error that stopped the app, if it is in state ERROR. */
  get error(): Error | undefined {
    return this.failure;
  }

  // ---------------------------------------------------------------- consumer

  private fullTopic = (topic: string): string => this.topology.topicName(this.config.applicationId, topic);

  private async startConsumer(): Promise<void> {
    const { config } = this;
    const consumer = this.kafka.consumer({
      groupId: config.applicationId,
      readUncommitted: config.processingGuarantee === 'at_least_once',
      partitionAssigners: [taskAssigner(this.topology, this.fullTopic)],
      sessionTimeout: config.sessionTimeoutMs,
      heartbeatInterval: config.heartbeatIntervalMs,
      rebalanceTimeout: config.rebalanceTimeoutMs,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: Math.min(500, config.commitIntervalMs),
      maxBytesPerPartition: config.maxBytesPerPartition,
      retry: { retries: 12, initialRetryTime: 200, maxRetryTime: 5000 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      void this.mutex.run(async () => this.onAssignment(payload.memberAssignment));
    });
    consumer.on(consumer.events.REBALANCING, () => {
      if (this.state === 'RUNNING') this.setState('REBALANCING');
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) config.logger.warn('consumer restarting after error', { error: payload.error.message });
      else if (isBrokerUnavailable(payload.error)) void this.recoverConsumer(payload.error);
      else void this.fail(payload.error);
    });
    await consumer.connect();
    const topics = this.topology.subtopologies.flatMap((s) => s.sourceTopics).map(this.fullTopic);
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.mutex.run(() => this.onBatch(payload)),
    });
  }

  /**
   * Replaces the consumer after the brokers became unavailable (kafkajs gave up on them): drops
   * every task (their uncommitted progress is redone from the last commit, which is exactly-once
   * safe), then starts a new consumer, which rejoins the group, retrying with backoff for as long
   * as the app runs.
   */
  private async recoverConsumer(cause: Error): Promise<void> {
    if (this.recovering || (this.state !== 'RUNNING' && this.state !== 'REBALANCING')) return;
    this.recovering = true;
    try {
      this.config.logger.warn('brokers unavailable; restarting the consumer and resuming from the last commit', { error: cause.message });
      this.setState('REBALANCING');
      const old = this.consumer;
      this.consumer = undefined;
      await disconnectWithin(old);
      await this.mutex.run(async () => {
        for (const id of [...this.tasks.keys()]) this.closeTask(id);
        this.assigned = new Set();
      });
      const running = () => this.state === 'REBALANCING' || this.state === 'RUNNING';
      await retryWithBackoff(running, () => this.startConsumer(), async (attempt, error) => {
        this.config.logger.warn('consumer restart failed; retrying', { attempt, error: error.message });
        // startConsumer() set the consumer before it failed to connect or join.
        await disconnectWithin(this.consumer);
        this.consumer = undefined;
      });
    } finally {
      this.recovering = false;
    }
  }

  /** Closes tasks this instance lost; new tasks are created on their first batch. */
  private async onAssignment(assignment: Record<string, number[]>): Promise<void> {
    const next = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      const sub = this.topology.subtopologies.find((s) => s.sourceTopics.some((t) => this.fullTopic(t) === topic));
      if (!sub) continue;
      for (const p of partitions) next.add(taskIdString({ subtopology: sub.id, partition: p }));
    }
    for (const id of [...this.tasks.keys()]) {
      if (!next.has(id)) {
        // Not committed: the new owner reprocesses from the last commit, so dropping is exactly-once safe.
        this.config.logger.info('task revoked', { task: id });
        this.closeTask(id);
      }
    }
    this.assigned = next;
    this.sources?.onAssignment(next);
    if (this.state === 'REBALANCING') this.setState('RUNNING');
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || this.state === 'ERROR' || this.state === 'PENDING_SHUTDOWN') return;
    const sub = this.topology.subtopologies.find((s) => s.sourceTopics.some((t) => this.fullTopic(t) === batch.topic));
    if (!sub) return;
    const taskId = { subtopology: sub.id, partition: batch.partition };
    let task: StreamTask;
    try {
      task = await this.taskFor(taskId, heartbeat);
    } catch (error) {
      // Not from inside the batch: recovery stops this consumer, which waits for the batch.
      if (isBrokerUnavailable(error)) setImmediate(() => void this.recoverConsumer(error as Error));
      else await this.fail(error as Error);
      return;
    }
    try {
      task.processMessages(batch.topic, batch.partition, batch.messages, resolveOffset);
    } catch (error) {
      await this.fail(error as Error);
      return;
    }
    const lag = Number(BigInt(batch.highWatermark) - BigInt(batch.lastOffset()) - 1n);
    this.metricsRecorder.lag.set(`${batch.topic}:${batch.partition}`, Math.max(0, lag));
    await this.commitIfDue(false);
    await heartbeat().catch(() => {});
  }

  // ---------------------------------------------------------------- tasks

  private taskFor(taskId: TaskId, heartbeat: () => Promise<void>): Promise<StreamTask> {
    const id = taskIdString(taskId);
    const existing = this.tasks.get(id);
    if (existing) return Promise.resolve(existing);
    let pending = this.creating.get(id);
    if (!pending) {
      pending = this.createTask(taskId, heartbeat).finally(() => this.creating.delete(id));
      this.creating.set(id, pending);
    }
    return pending;
  }

  /**
   * Creates a task: fences earlier owners (initializing the task's transactional producer
   * completes or aborts their open transaction), reads the committed input offsets and task
   * metadata, opens its state and replays its changelogs from the state's checkpoint.
   */
  private async createTask(taskId: TaskId, heartbeat: () => Promise<void>): Promise<StreamTask> {
    const opened: { producer?: Producer; backend?: TaskStateBackend } = {};
    try {
      return await this.openTask(taskId, heartbeat, opened);
    } catch (error) {
      // A task that failed half-way (the brokers went away during its restore, say) must not keep
      // its state open: the retry after recovery opens it again, and the state backend allows
      // one owner per process.
      opened.backend?.close();
      void opened.producer?.disconnect().catch(() => {});
      throw error;
    }
  }

  /** The steps of {@link createTask}; what it opens goes into `opened` as soon as it is open. */
  private async openTask(taskId: TaskId, heartbeat: () => Promise<void>, opened: { producer?: Producer; backend?: TaskStateBackend }): Promise<StreamTask> {
    const { config, topology } = this;
    const id = taskIdString(taskId);
    const sub = topology.subtopologies[taskId.subtopology]!;
    let producer: Producer | undefined;
    if (config.processingGuarantee === 'exactly_once') {
      producer = this.kafka.producer({
        transactionalId: `${config.applicationId}-${id}`,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: 60_000,
      });
      opened.producer = producer;
      await producer.connect();
      // kafkajs initializes the producer id lazily: force it now, before reading offsets, so a
      // previous owner's pending transaction is settled and its offsets are final.
      const fence = await producer.transaction();
      await fence.abort();
    }
    const sourceTopics = sub.sourceTopics.map(this.fullTopic);
    const committed = new Map<string, bigint>();
    let metadata: TaskMetadata | undefined;
    const fetched = await this.admin!.fetchOffsets({ groupId: config.applicationId, topics: sourceTopics });
    for (const topic of fetched) {
      const entry = topic.partitions.find((p) => p.partition === taskId.partition);
      if (!entry || BigInt(entry.offset) < 0n) continue;
      committed.set(`${topic.topic}:${taskId.partition}`, BigInt(entry.offset));
      if (entry.metadata) {
        try {
          metadata = JSON.parse(entry.metadata) as TaskMetadata;
        } catch {
          config.logger.warn('ignoring unreadable task metadata', { task: id, topic: topic.topic });
        }
      }
    }
    const backend = this.stateBackend.open(id, sub.stores, topology.fingerprint());
    opened.backend = backend;
    await this.restore(id, taskId.partition, sub.stores, backend, heartbeat);
    const task = new StreamTask(
      taskId,
      {
        applicationId: config.applicationId,
        topology,
        logger: config.logger,
        deserializationErrorHandler: config.deserializationErrorHandler,
        processingErrorHandler: config.processingErrorHandler,
        maxCacheBytesPerStore: config.maxCacheBytesPerStore,
        ...(this.global ? { globalStores: this.global.task.globalStores } : {}),
        fullTopic: this.fullTopic,
        partitionCount: (topic) => this.partitionCount(topic),
      },
      backend,
      sourceTopics,
      committed,
      metadata,
      producer,
    );
    this.tasks.set(id, task);
    config.logger.info('task started', { task: id, committed: Object.fromEntries([...committed].map(([k, v]) => [k, v.toString()])) });
    return task;
  }

  /** Replays each logged store's changelog partition from the state's checkpoint to its end. */
  private async restore(
    taskId: string,
    partition: number,
    stores: readonly string[],
    backend: TaskStateBackend,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const checkpoint = backend.checkpoint();
    const changelogs = this.topology.internalTopics(this.config.applicationId).changelogs;
    const storeByTopic = new Map<string, string>();
    const ranges = [];
    for (const store of stores) {
      const topic = changelogs.get(store);
      if (!topic) continue;
      storeByTopic.set(topic, store);
      ranges.push({ topic, partition, from: BigInt(checkpoint[store] ?? '0') });
    }
    if (ranges.length === 0) return;
    let restored = 0;
    const started = Date.now();
    await readPartitions(
      this.kafka,
      this.admin!,
      ranges,
      (topic, _partition, messages) => {
        const store = storeByTopic.get(topic)!;
        backend.commit({
          writes: messages.map((m) => ({ store, key: m.key ?? new Uint8Array(0), value: m.value ?? null })),
          rangeDeletes: [],
          checkpoint: { [store]: (BigInt(messages[messages.length - 1]!.offset) + 1n).toString() },
        });
        restored += messages.length;
      },
      { groupPrefix: `${this.config.applicationId}-restore`, logger: this.config.logger, heartbeat },
    );
    this.config.logger.info('task restored', { task: taskId, records: restored, ms: Date.now() - started });
  }

  private closeTask(id: string): void {
    const task = this.tasks.get(id);
    if (!task) return;
    this.tasks.delete(id);
    this.metricsRecorder.closedProcessed.value += task.core.counters.processed;
    for (const reason of Object.keys(this.metricsRecorder.closedDropped) as DropReason[]) {
      this.metricsRecorder.closedDropped[reason] += task.core.counters.dropped[reason];
    }
    task.close();
    void task.producer?.disconnect().catch(() => {});
  }

  private async partitionCount(topic: string): Promise<number> {
    const known = this.partitionCounts.get(topic);
    if (known !== undefined) return known;
    const metadata = await this.admin!.fetchTopicMetadata({ topics: [topic] });
    const n = metadata.topics[0]?.partitions.length;
    if (!n) throw new WeirRuntimeError(`output topic ${topic} does not exist`, { context: { topic } });
    this.partitionCounts.set(topic, n);
    return n;
  }

  // ---------------------------------------------------------------- commits

  private async commitIfDue(fromTimer: boolean): Promise<void> {
    const due = Date.now() - this.lastCommit >= this.config.commitIntervalMs;
    const requested = [...this.tasks.values()].some((t) => t.core.needsCommit);
    if (!due && !requested) return;
    if (fromTimer) {
      if (this.state !== 'RUNNING' && this.state !== 'REBALANCING') return;
      await this.mutex.run(() => this.commitAll()).catch((error: unknown) => this.fail(error as Error));
    } else {
      await this.commitAll().catch((error: unknown) => this.fail(error as Error));
    }
  }

  /**
   * Commits every task that has work, all at once; a task whose commit fails is discarded and
   * rewound. The tasks' transactions are independent (one transactional producer per task), so
   * they run concurrently: a commit costs about one transaction's round trips, not one per task.
   * That keeps processing (which waits for the commit) moving, and keeps short the blocks of
   * records each task writes to a repartition topic per commit. Several open transactions on one
   * partition are exactly what kafkajs's own read_committed filter got wrong after a crash;
   * internal/read-committed.ts corrects it.
   */
  private async commitAll(): Promise<void> {
    this.lastCommit = Date.now();
    const now = Date.now();
    for (const task of this.tasks.values()) task.punctuate(now);
    const due = [...this.tasks].filter(([, task]) => task.needsCommit);
    const results = await Promise.allSettled(
      due.map(async ([, task]) => {
        const started = Date.now();
        await task.commit(this.commitSink);
        this.metricsRecorder.recordCommit(Date.now() - started);
      }),
    );
    let stop: Error | undefined;
    for (const [i, result] of results.entries()) {
      if (result.status === 'fulfilled') continue;
      const [id, task] = due[i]!;
      const error = result.reason as Error;
      // A record or metadata the broker will never accept fails every retry the same way: stop.
      if (error instanceof RecordRejectedError || error instanceof CommitMetadataTooLargeError || (error instanceof WeirRuntimeError && this.failure)) {
        stop ??= error;
        continue;
      }
      this.config.logger.warn('commit failed; discarding the task and rewinding to its last commit', { task: id, error: error.message });
      await this.rewind(id, task);
    }
    if (stop) throw stop;
    this.purger?.afterCommit(this.tasks.values());
  }

  /** Drops a task whose commit failed and seeks its partitions back to the committed offsets. */
  private async rewind(id: string, task: StreamTask): Promise<void> {
    this.closeTask(id);
    if (!this.assigned.has(id)) return;
    let fetched: Awaited<ReturnType<Admin['fetchOffsets']>>;
    try {
      fetched = await this.admin!.fetchOffsets({ groupId: this.config.applicationId, topics: [...task.sourceTopics] });
    } catch (error) {
      if (!isBrokerUnavailable(error)) throw error;
      // Without the committed offsets the partitions cannot be rewound: start over from them.
      setImmediate(() => void this.recoverConsumer(error as Error));
      return;
    }
    for (const topic of fetched) {
      const entry = topic.partitions.find((p) => p.partition === task.taskId.partition);
      const offset = entry && BigInt(entry.offset) >= 0n ? entry.offset : '-2'; // -2: earliest
      this.consumer?.seek({ topic: topic.topic, partition: task.taskId.partition, offset });
    }
  }

  private readonly commitSink: CommitSink = {
    commit: async (task, records, offsets) => {
      const byTopic = new Map<string, Array<{ partition: number; offset: string; metadata: string }>>();
      for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
      const topics = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
      if (task.producer) {
        const txn = await task.producer.transaction();
        try {
          const ends = await sendInRequests((batch) => txn.sendBatch(batch), records);
          if (topics.length > 0) await txn.sendOffsets({ consumerGroupId: this.config.applicationId, topics }).catch(offsetsRefused(task.id, offsets));
          await txn.commit();
          return ends;
        } catch (error) {
          await txn.abort().catch(() => {});
          throw error;
        }
      }
      const producer = this.sharedProducer!;
      const ends = await sendInRequests((batch) => producer.sendBatch(batch), records);
      await this.consumer!.commitOffsets(offsets).catch(offsetsRefused(task.id, offsets));
      return ends;
    },
  };

  /** Source and backfill readers, driven by assignment (see internal/source-runner.ts). */
  private sourceRunner(): SourceRunner {
    return new SourceRunner({
      applicationId: this.config.applicationId,
      topology: this.topology,
      logger: this.config.logger,
      fullTopic: this.fullTopic,
      locked: (action) => this.mutex.run(action),
      task: (taskId) => this.taskFor(taskId, async () => {}),
      owns: (id) => this.assigned.has(id),
      current: (id) => this.tasks.get(id),
      afterBatch: () => this.commitIfDue(false),
      partitionCount: (topic) => this.partitionCount(topic),
      pause: (topic, partition) => this.consumer?.pause([{ topic, partitions: [partition] }]),
      resume: (topic, partition, offset) => {
        if (offset !== undefined) this.consumer?.seek({ topic, partition, offset: offset.toString() });
        this.consumer?.resume([{ topic, partitions: [partition] }]);
      },
      fail: (error) => void this.fail(error),
    });
  }

  // ---------------------------------------------------------------- global stores

  private async startGlobalStores(): Promise<void> {
    if (this.topology.globalStores.length === 0) return;
    const { config } = this;
    const backend = new InMemoryStateBackendFactory().open(
      'global',
      this.topology.globalStores.map((g) => g.store.name),
      this.topology.fingerprint(),
    );
    const task = new GlobalStateTask(this.topology, backend, config.applicationId);
    const topics = task.topics;
    const ranges = [];
    for (const topic of topics) {
      for (const { partition } of await this.admin!.fetchTopicOffsets(topic)) ranges.push({ topic, partition, from: 0n });
    }
    const apply = (topic: string, partition: number, messages: KafkaMessage[]) => {
      for (const m of messages) {
        task.process({
          topic,
          partition,
          offset: m.offset,
          key: m.key ?? null,
          value: m.value ?? null,
          timestamp: Number(m.timestamp),
          headers: {},
        });
      }
      task.commit();
    };
    // Load everything before processing starts, as Kafka Streams bootstraps global stores.
    await readPartitions(this.kafka, this.admin!, ranges, apply, { groupPrefix: `${config.applicationId}-global`, logger: config.logger });
    // Then follow updates with a consumer of our own (a unique group: every instance reads everything).
    const consumer = this.kafka.consumer({ groupId: `${config.applicationId}-global-${process.pid}-${Date.now()}`, readUncommitted: false });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({ eachBatch: async ({ batch }) => apply(batch.topic, batch.partition, batch.messages) });
    this.global = { task, consumer };
  }

  // ---------------------------------------------------------------- lifecycle

  private installSignalHandlers(): void {
    const handler = () => {
      this.config.logger.info('signal received, shutting down');
      void this.close();
    };
    this.signalHandler = handler;
    process.once('SIGTERM', handler);
    process.once('SIGINT', handler);
  }

  private async fail(error: Error): Promise<void> {
    if (this.failure) return;
    this.failure = error;
    this.config.logger.error('app failed', { error: error.message });
    this.setState('ERROR');
    // Not awaited: fail() is often called from inside a batch, and stopping the consumer waits
    // for that very batch to return.
    this.stopping = (async () => {
      await this.consumer?.stop().catch(() => {});
      await this.sinks?.stop().catch(() => {});
      await this.shutdown().catch(() => {});
    })();
  }

  private async shutdown(): Promise<void> {
    await this.sources?.stop().catch(() => {});
    if (this.commitTimer) clearInterval(this.commitTimer);
    this.commitTimer = undefined;
    if (this.signalHandler) {
      process.off('SIGTERM', this.signalHandler);
      process.off('SIGINT', this.signalHandler);
    }
    for (const id of [...this.tasks.keys()]) this.closeTask(id);
    await disconnectWithin(this.consumer);
    await disconnectWithin(this.global?.consumer);
    await disconnectWithin(this.sharedProducer);
    await this.purger?.drain();
    await disconnectWithin(this.admin);
  }

  private setState(state: AppState): void {
    if (this.stateSubject.value !== state) this.stateSubject.next(state);
  }
}

/**
 * Rethrows an offset commit's error, as {@link CommitMetadataTooLargeError} when the broker
 * refused the task metadata for its size (which no retry can change).
 */
function offsetsRefused(taskId: string, offsets: ReadonlyArray<{ metadata: string }>): (error: unknown) => never {
  return (error) => {
    if ((error as { type?: string }).type !== 'OFFSET_METADATA_TOO_LARGE') throw error;
    const bytes = Buffer.byteLength(offsets[0]?.metadata ?? '');
    throw new CommitMetadataTooLargeError(
      `task ${taskId}: the broker refused its offset commit because the task metadata (stream time and the progress of each stateful processor, ${bytes} bytes) ` +
        "is larger than the broker's offset.metadata.max.bytes (4096 by default): raise that setting, or split the sub-topology (fewer windowed or joined stores per task)",
      { cause: error, context: { task: taskId } },
    );
  };
}

/**
 * Disconnects a client, giving up after {@link DISCONNECT_TIMEOUT_MS}: a client stuck
 * reconnecting to a broker that went away must not hold the app. Errors are ignored.
 */
async function disconnectWithin(client: { disconnect(): Promise<void> } | undefined): Promise<void> {
  if (!client) return;
  await withTimeout(client.disconnect(), DISCONNECT_TIMEOUT_MS, () => new Error('disconnect timed out')).catch(() => {});
}

async function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(error()), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

