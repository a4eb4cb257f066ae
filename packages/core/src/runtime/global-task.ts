import { DeserializationError, IllegalStateError } from '../errors.js';
import { type Processor, type ProcessorContext, PunctuationType } from '../processor/processor.js';
import type { StoreCheckpoint, TaskStateBackend } from '../state/backend.js';
import { StoreBuffer } from '../state/internal/store-buffer.js';
import type { StateStore } from '../state/stores.js';
import type { GlobalStoreDefinition } from '../topology/graph.js';
import type { Topology } from '../topology/topology.js';
import { openStore } from './open-store.js';
import type { InputRecord } from './output.js';

/**
 * Keeps the global stores of a topology: every record of a global topic (all partitions) goes
 * through the store's updater processor. Global stores have no changelog: their topic is one.
 */
export class GlobalStateTask {
  private readonly stores = new Map<string, StateStore>();
  private readonly buffers: StoreBuffer[] = [];
  private readonly updaters = new Map<string, { definition: GlobalStoreDefinition; processor: Processor<unknown, unknown> }>();
  private currentTimestamp = 0;

  constructor(
    topology: Topology,
    private readonly backend: TaskStateBackend,
    applicationId: string,
  ) {
    const clock = { recordTimestamp: () => this.currentTimestamp };
    for (const definition of topology.globalStores) {
      const buffer = new StoreBuffer(definition.store.name, backend.store(definition.store.name), { caching: false, maxCacheBytes: 0 });
      this.buffers.push(buffer);
      const store = openStore(definition.store, buffer, clock);
      this.stores.set(definition.store.name, store);
      const processor = definition.supplier();
      const context: ProcessorContext<unknown, unknown> = {
        applicationId,
        taskId: 'global',
        forward: () => {
          throw new IllegalStateError(`global store updater ${definition.processorName} cannot forward records`);
        },
        getStateStore: <S extends StateStore>(name: string) => {
          if (name !== definition.store.name) throw new IllegalStateError(`global updater may only use store ${definition.store.name}`);
          return store as S;
        },
        schedule: () => {
          throw new IllegalStateError(`global store updater ${definition.processorName} cannot schedule ${PunctuationType.STREAM_TIME} punctuators`);
        },
        recordMetadata: () => undefined,
        currentStreamTimeMs: () => this.currentTimestamp,
        currentSystemTimeMs: () => Date.now(),
        commit: () => {},
        recordDropped: () => {},
      };
      processor.init?.(context);
      this.updaters.set(definition.topic, { definition, processor });
    }
  }

  /** The global stores by name, for tasks to read. */
  get globalStores(): ReadonlyMap<string, StateStore> {
    return this.stores;
  }

  /** Topics feeding global stores. */
  get topics(): string[] {
    return [...this.updaters.keys()];
  }

  /** Applies one record of a global topic. */
  process(input: InputRecord): void {
    const updater = this.updaters.get(input.topic);
    if (!updater) throw new IllegalStateError(`no global store reads topic ${input.topic}`);
    const { definition, processor } = updater;
    let key: unknown;
    let value: unknown;
    try {
      key = definition.keySerde.deserialize(input.topic, input.key, input.headers);
      value = definition.valueSerde.deserialize(input.topic, input.value, input.headers);
    } catch (cause) {
      throw new DeserializationError(`cannot deserialize global record from ${input.topic}-${input.partition} at ${input.offset}`, {
        cause,
        context: { topic: input.topic, partition: input.partition, offset: input.offset },
      });
    }
    this.currentTimestamp = input.timestamp;
    processor.process({ key, value, timestamp: input.timestamp, headers: input.headers });
  }

  /** Makes applied records durable, with the topic positions they reflect. */
  commit(checkpoint: StoreCheckpoint = {}): void {
    const writes = [];
    const rangeDeletes = [];
    for (const buffer of this.buffers) {
      buffer.flush();
      const part = buffer.prepareCommit();
      writes.push(...part.writes);
      rangeDeletes.push(...part.rangeDeletes);
    }
    this.backend.commit({ writes, rangeDeletes, checkpoint });
    for (const buffer of this.buffers) buffer.completeCommit();
  }
}
