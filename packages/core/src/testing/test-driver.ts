import { IllegalStateError } from '../errors.js';
import type { DropReason } from '../processor/processor.js';
import type { KeyValue } from '../record.js';
import { GlobalStateTask } from '../runtime/global-task.js';
import type { InputRecord, OutputRecord, RecordCollector } from '../runtime/output.js';
import { Task } from '../runtime/task.js';
import type { RecordHeaders, Serde } from '../serde/serde.js';
import type { StateBackendFactory } from '../state/backend.js';
import { InMemoryStateBackendFactory } from '../state/internal/in-memory-backend.js';
import type { KeyValueStore, SessionStore, StateStore, WindowStore } from '../state/stores.js';
import type { OutboxRecord, SinkPartitionWriter } from '../sink/external-sink.js';
import { backfillStartOffset } from '../source/backfill.js';
import type { Topology } from '../topology/topology.js';

/** Options of a {@link TestDriver}. */
export interface TestDriverOptions {
  /** Application id used for internal topic names (default `'test-app'`). */
  readonly applicationId?: string;
  /** Wall-clock time at start, in epoch ms (default 0). */
  readonly initialWallClockMs?: number;
  /** Where task state lives (default in memory; pass `@weir/state`'s LMDB factory to test on LMDB). */
  readonly stateBackend?: StateBackendFactory;
  /**
   * Commit after every record processed, as Kafka Streams' TopologyTestDriver does: after each
   * input record and after each record read back from a repartition topic (default true).
   */
  readonly commitEveryRecord?: boolean;
  /** Record cache budget per store in bytes (default 10 MiB). */
  readonly maxCacheBytesPerStore?: number;
}

/** A record read from an output topic. */
export interface TestRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: RecordHeaders;
}

/**
 * Runs a topology in memory, deterministically, with controlled time (Kafka Streams'
 * `TopologyTestDriver`). It runs the very tasks and processors the Kafka runtime runs: one task
 * per sub-topology (partition 0), repartition topics routed straight back in, and by default a
 * commit after every record processed, input or read back from a repartition topic (so caches
 * flush at once).
 *
 * @example
 * const driver = new TestDriver(builder.build());
 * const input = driver.createInputTopic('views', Serdes.String(), Serdes.Json<View>());
 * const output = driver.createOutputTopic('counts', Serdes.String(), Serdes.Json<number>());
 * input.pipeInput('alice', { page: '/' }, 1_000);
 * expect(output.readKeyValuesToList()).toEqual([{ key: '/', value: 1 }]);
 */
export class TestDriver {
  /**
   * The state backend of drivers created without `stateBackend` (default: in memory). A test
   * suite sets it to run every scenario on another backend, e.g. `@weir/state`'s LMDB.
   */
  static defaultStateBackend: (() => StateBackendFactory) | undefined;

  readonly applicationId: string;
  private readonly tasks = new Map<number, Task>();
  private readonly global: GlobalStateTask | undefined;
  private readonly outputs = new Map<string, OutputRecord[]>();
  private readonly pending: OutputRecord[] = [];
  /** Records written to repartition topics, waiting to be read back in. */
  private readonly internalQueue: InputRecord[] = [];
  private readonly offsets = new Map<string, number>();
  private readonly backends: Array<{ close(): void }> = [];
  /** Outbox records not yet handed to their external sink, by outbox topic (full name). */
  private readonly outboxes = new Map<string, OutputRecord[]>();
  private readonly sinkWriters = new Map<string, { writer: SinkPartitionWriter<unknown, unknown>; next: bigint }>();
  /** Topics with a backfill: where the topic continues once the backfill ended (unset before). */
  private readonly backfillStarts = new Map<string, bigint | undefined>();
  private wallClock: number;
  private closed = false;

  constructor(
    private readonly topology: Topology,
    private readonly options: TestDriverOptions = {},
  ) {
    this.applicationId = options.applicationId ?? 'test-app';
    this.wallClock = options.initialWallClockMs ?? 0;
    const backends = options.stateBackend ?? TestDriver.defaultStateBackend?.() ?? new InMemoryStateBackendFactory();
    const collector: RecordCollector = { send: (record) => this.pending.push(record) };
    if (topology.globalStores.length > 0) {
      const names = topology.globalStores.map((g) => g.store.name);
      this.global = new GlobalStateTask(topology, this.track(backends.open('global', names, topology.fingerprint())), this.applicationId);
    }
    for (const sub of topology.subtopologies) {
      const taskId = `${sub.id}_0`;
      this.tasks.set(
        sub.id,
        new Task({
          applicationId: this.applicationId,
          topology,
          subtopology: sub,
          partition: 0,
          backend: this.track(backends.open(taskId, sub.stores, topology.fingerprint())),
          collector,
          wallClock: () => this.wallClock,
          ...(this.global ? { globalStores: this.global.globalStores } : {}),
          ...(options.maxCacheBytesPerStore === undefined ? {} : { maxCacheBytesPerStore: options.maxCacheBytesPerStore }),
        }),
      );
    }
    for (const s of topology.externalSources) if (s.kind === 'backfill') this.backfillStarts.set(s.topic!, undefined);
  }

  /** An input topic to pipe records into. */
  createInputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestInputTopic<K, V> {
    return new TestInputTopic(this, topic, keySerde, valueSerde);
  }

  /** An output topic to read records from. */
  createOutputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(this, topic, keySerde, valueSerde);
  }

  /** @internal Processes one serialized record piped into `topic`. */
  pipe(topic: string, key: Uint8Array | null, value: Uint8Array | null, timestamp: number, headers: RecordHeaders): void {
    this.checkOpen();
    const offset = this.offsets.get(topic) ?? 0;
    this.offsets.set(topic, offset + 1);
    if (this.backfillStarts.has(topic)) {
      const start = this.backfillStarts.get(topic);
      if (start === undefined) throw new IllegalStateError(`topic ${topic} has a backfill: await driver.runSources() before piping records`);
      // The runtime's consumer starts at the backfill's end offset: earlier records are in the backfill.
      if (BigInt(offset) < start) return;
    }
    const input: InputRecord = { topic, partition: 0, offset: String(offset), key, value, timestamp, headers };
    if (this.global?.topics.includes(topic)) {
      this.global.process(input);
      this.global.commit();
      return;
    }
    this.route(input);
    this.settle();
  }

  /**
   * Commits every task: flushes caches (forwarding cached updates) and writes state. Records the
   * flushes write to repartition topics are processed too, until nothing is left to flush.
   */
  commit(): void {
    this.checkOpen();
    for (let round = 0; ; round++) {
      this.commitTasks();
      if (!this.routeQueued()) return;
      if (round > 100) throw new IllegalStateError('commits keep producing records between sub-topologies');
    }
  }

  /**
   * Hands the records written to external sinks (Parquet tables, ...) to their partition writers
   * and commits them, as the runtime's sink tasks do after each transaction. Asynchronous because
   * sinks do I/O.
   */
  async flushExternalSinks(): Promise<void> {
    this.checkOpen();
    for (const definition of this.topology.externalSinks) {
      const topic = this.topology.outboxTopic(this.applicationId, definition);
      let state = this.sinkWriters.get(topic);
      if (!state) {
        const writer = definition.sink.openPartition({ applicationId: this.applicationId, outboxTopic: topic, partition: 0 });
        state = { writer, next: await writer.recover() };
        this.sinkWriters.set(topic, state);
      }
      const pending = this.outboxes.get(topic) ?? [];
      this.outboxes.set(topic, []);
      if (pending.length === 0) continue;
      const records: OutboxRecord<unknown, unknown>[] = pending.map((r, i) => ({
        offset: state.next + BigInt(i),
        key: definition.sink.keySerde.deserialize(topic, r.key),
        value: definition.sink.valueSerde.deserialize(topic, r.value),
        timestamp: r.timestamp,
      }));
      await state.writer.write(records);
      state.next += BigInt(records.length);
      await state.writer.commit(state.next);
    }
  }

  /**
   * Reads every external source (`builder.stream(source)`) and every backfill to its end, as the
   * runtime's source tasks do: batch by batch, each record processed like a piped one (with a
   * commit after it under `commitEveryRecord`), the position recorded in the task's metadata
   * after each batch. After it, a topic with a backfill accepts piped records; those below the
   * offset where the backfill ends (the driver numbers a topic's records from 0) are skipped, as
   * the runtime's consumer starts there. Asynchronous because sources do I/O.
   */
  async runSources(): Promise<void> {
    this.checkOpen();
    for (const definition of this.topology.externalSources) {
      const topic = definition.kind === 'stream' ? definition.positionTopic! : definition.topic!;
      const sub = this.topology.subtopologyOf(topic);
      const task = sub && this.tasks.get(sub.id);
      if (!task) throw new IllegalStateError(`no task reads external source ${definition.source.name}`);
      const node = definition.nodeName;
      let progress = task.sourceProgressOf(node);
      if (!progress.ended) {
        const reader = await definition.source.open({ applicationId: this.applicationId, position: progress.position });
        try {
          for (let batch = await reader.read(); batch; batch = await reader.read()) {
            for (const record of batch.records) {
              task.processSource(node, record);
              this.settle();
            }
            progress = { position: batch.position };
            task.setSourceProgress(node, progress);
          }
        } finally {
          await reader.close();
        }
        task.setSourceProgress(node, { ...progress, ended: true });
      }
      if (definition.kind === 'backfill') this.backfillStarts.set(topic, await backfillStartOffset(definition, topic, 0));
    }
  }

  /** Advances wall-clock time and fires due wall-clock punctuators. */
  advanceWallClockTime(ms: number): void {
    this.checkOpen();
    this.wallClock += ms;
    for (const task of this.tasks.values()) task.punctuateWallClock(this.wallClock);
    this.settle();
  }

  /** A store of the topology (or a global store), for inspection. */
  getStateStore<S extends StateStore>(name: string): S {
    for (const task of this.tasks.values()) {
      const store = task.store<S>(name);
      if (store) return store;
    }
    const global = this.global?.globalStores.get(name);
    if (global) return global as S;
    throw new IllegalStateError(`no store named ${name} in this topology`);
  }

  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V> {
    return this.getStateStore(name);
  }

  getWindowStore<K, V>(name: string): WindowStore<K, V> {
    return this.getStateStore(name);
  }

  getSessionStore<K, V>(name: string): SessionStore<K, V> {
    return this.getStateStore(name);
  }

  /** Dropped-record counters summed over tasks. */
  droppedRecords(): Record<DropReason, number> {
    const total: Record<DropReason, number> = { late: 0, 'null-key': 0, 'null-value': 0, error: 0, expired: 0 };
    for (const task of this.tasks.values()) {
      for (const reason of Object.keys(total) as DropReason[]) total[reason] += task.counters.dropped[reason];
    }
    return total;
  }

  /** Records processed, summed over tasks (repartitioned records count again in their task). */
  processedRecords(): number {
    let n = 0;
    for (const task of this.tasks.values()) n += task.counters.processed;
    return n;
  }

  /** Closes every task and its state (and external sink writers, without committing). */
  close(): void {
    if (this.closed) return;
    for (const { writer } of this.sinkWriters.values()) void writer.close();
    for (const task of this.tasks.values()) task.close();
    for (const backend of this.backends) backend.close();
    this.closed = true;
  }

  private track<B extends { close(): void }>(backend: B): B {
    this.backends.push(backend);
    return backend;
  }

  /** @internal */
  takeOutput(topic: string): OutputRecord[] {
    const records = this.outputs.get(topic) ?? [];
    this.outputs.set(topic, []);
    return records;
  }

  /** @internal */
  peekOutput(topic: string): readonly OutputRecord[] {
    return this.outputs.get(topic) ?? [];
  }

  private route(input: InputRecord): void {
    const local = this.localTopic(input.topic);
    const sub = this.topology.subtopologyOf(local);
    if (!sub) throw new IllegalStateError(`no sub-topology reads topic ${input.topic}`);
    this.tasks.get(sub.id)!.process(input);
  }

  /**
   * After an input record or a punctuation. With `commitEveryRecord`, as Kafka Streams'
   * TopologyTestDriver: commit, then process the records written to repartition topics one at a
   * time, in the order they were written, with a commit after each (so a cached aggregation
   * behind a repartition topic emits once per record it reads). Otherwise process them all and
   * leave the caches to the next `commit()`.
   */
  private settle(): void {
    if (!(this.options.commitEveryRecord ?? true)) {
      this.routeQueued();
      return;
    }
    for (;;) {
      this.commitTasks();
      this.collect();
      const next = this.internalQueue.shift();
      if (!next) return;
      this.route(next);
    }
  }

  /** Commits every task once; what their cache flushes write waits in `pending`. */
  private commitTasks(): void {
    for (const task of this.tasks.values()) {
      task.prepareCommit();
      task.completeCommit();
    }
  }

  /** Processes queued repartition records (and those they produce) until none is left. Returns whether any was. */
  private routeQueued(): boolean {
    let routed = false;
    for (;;) {
      this.collect();
      const next = this.internalQueue.shift();
      if (!next) return routed;
      routed = true;
      this.route(next);
    }
  }

  /** Moves produced records to output topics, and records for repartition topics to the queue that feeds them back in. */
  private collect(): void {
    while (this.pending.length > 0) {
      const record = this.pending.shift()!;
      const local = this.localTopic(record.topic);
      const sink = this.topology.externalSinks.find((x) => x.outboxTopic === local);
      if (sink) {
        const list = this.outboxes.get(record.topic) ?? [];
        list.push(record);
        this.outboxes.set(record.topic, list);
        continue;
      }
      if (this.topology.internalTopicNames.has(local)) {
        const offset = this.offsets.get(record.topic) ?? 0;
        this.offsets.set(record.topic, offset + 1);
        this.internalQueue.push({ ...record, partition: 0, offset: String(offset) });
        continue;
      }
      if (record.topic.endsWith('-changelog')) continue;
      const list = this.outputs.get(record.topic) ?? [];
      list.push(record);
      this.outputs.set(record.topic, list);
    }
  }

  private localTopic(topic: string): string {
    const prefix = `${this.applicationId}-`;
    return topic.startsWith(prefix) && this.topology.internalTopicNames.has(topic.slice(prefix.length))
      ? topic.slice(prefix.length)
      : topic;
  }

  private checkOpen(): void {
    if (this.closed) throw new IllegalStateError('TestDriver used after close()');
  }
}

/** An input topic of a {@link TestDriver}. */
export class TestInputTopic<K, V> {
  /** @internal */
  constructor(
    private readonly driver: TestDriver,
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {}

  /** Pipes one record with an explicit event time (ms). */
  pipeInput(key: K | null, value: V | null, timestamp: number, headers: RecordHeaders = {}): void {
    this.driver.pipe(
      this.topic,
      this.keySerde.serialize(this.topic, key, headers),
      this.valueSerde.serialize(this.topic, value, headers),
      timestamp,
      headers,
    );
  }

  /** Pipes raw bytes (to test deserialization failures). */
  pipeRaw(key: Uint8Array | null, value: Uint8Array | null, timestamp: number, headers: RecordHeaders = {}): void {
    this.driver.pipe(this.topic, key, value, timestamp, headers);
  }

  /** Pipes records in order. */
  pipeRecordList(records: Iterable<{ key: K | null; value: V | null; timestamp: number }>): void {
    for (const r of records) this.pipeInput(r.key, r.value, r.timestamp);
  }
}

/** An output topic of a {@link TestDriver}. */
export class TestOutputTopic<K, V> {
  /** @internal */
  constructor(
    private readonly driver: TestDriver,
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {}

  /** Reads and removes every record written so far. */
  readRecordsToList(): TestRecord<K, V>[] {
    return this.driver.takeOutput(this.topic).map((r) => this.decode(r));
  }

  /** Reads and removes every record written so far, as key-value pairs. */
  readKeyValuesToList(): KeyValue<K, V>[] {
    return this.readRecordsToList().map(({ key, value }) => ({ key, value }));
  }

  /** Reads and removes the values written so far. */
  readValuesToList(): V[] {
    return this.readRecordsToList().map((r) => r.value);
  }

  /** Reads the table the records describe: the last value per key (a `null` value deletes). */
  readKeyValuesToMap(): Map<string, V> {
    const map = new Map<string, V>();
    for (const r of this.readRecordsToList()) {
      const key = JSON.stringify(r.key, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
      if (r.value === null) map.delete(key);
      else map.set(key, r.value);
    }
    return map;
  }

  /** Whether nothing is waiting to be read. */
  isEmpty(): boolean {
    return this.driver.peekOutput(this.topic).length === 0;
  }

  /** Number of records waiting to be read. */
  queueSize(): number {
    return this.driver.peekOutput(this.topic).length;
  }

  private decode(record: OutputRecord): TestRecord<K, V> {
    return {
      key: this.keySerde.deserialize(this.topic, record.key, record.headers) as K,
      value: this.valueSerde.deserialize(this.topic, record.value, record.headers) as V,
      timestamp: record.timestamp,
      headers: record.headers,
    };
  }
}
