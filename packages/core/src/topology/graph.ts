import type { ProcessorSupplier } from '../processor/processor.js';
import type { StreamRecord } from '../record.js';
import type { Serde } from '../serde/serde.js';
import type { ExternalSinkDefinition } from '../sink/external-sink.js';
import type { ExternalSourceDefinition } from '../source/external-source.js';
import type { StoreDefinition } from './store-definition.js';

/** Extracts event time from a consumed record (Kafka Streams' `TimestampExtractor`). */
export type TimestampExtractor<K = unknown, V = unknown> = (record: StreamRecord<K, V>, partitionTime: number) => number;

/** Chooses an output topic per record (Kafka Streams' `TopicNameExtractor`). */
export type TopicNameExtractor<K = unknown, V = unknown> = (record: StreamRecord<K, V>) => string;

/**
 * Chooses an output partition per record; `undefined` falls back to hashing the serialized key.
 * (Declared as a method so that a partitioner for `V` also fits a stream of `V | null`.)
 */
export type StreamPartitioner<K = unknown, V = unknown> = {
  partition(topic: string, key: K, value: V, numPartitions: number): number | undefined;
}['partition'];

/** A node reading one or more topics into the topology. */
export interface SourceNode {
  readonly kind: 'source';
  readonly name: string;
  readonly topics: readonly string[];
  /** Topics that are internal (repartition), named without the application id prefix. */
  readonly internal: boolean;
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
  readonly timestampExtractor?: TimestampExtractor;
}

/** A node running a processor. */
export interface ProcessorNode {
  readonly kind: 'processor';
  readonly name: string;
  readonly parents: readonly string[];
  readonly supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
  /** Names of the stores this processor reads or writes. */
  readonly stores: readonly string[];
}

/** A node writing records to a topic. */
export interface SinkNode {
  readonly kind: 'sink';
  readonly name: string;
  readonly parents: readonly string[];
  /** A fixed topic or a per-record choice. */
  readonly topic: string | TopicNameExtractor;
  /** Whether `topic` is internal (repartition), named without the application id prefix. */
  readonly internal: boolean;
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
  readonly partitioner?: StreamPartitioner;
}

export type TopologyNode = SourceNode | ProcessorNode | SinkNode;

/** An internal topic the topology needs, named without the application id prefix. */
export interface InternalTopicDefinition {
  readonly name: string;
  readonly kind: 'repartition' | 'changelog';
  /** A fixed partition count, or `undefined` to copy the source topics' count. */
  readonly partitions?: number;
}

/** A global store: fed from every partition of a topic, present in full on every instance. */
export interface GlobalStoreDefinition {
  readonly store: StoreDefinition;
  readonly sourceName: string;
  readonly topic: string;
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
  readonly processorName: string;
  readonly supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
}

/** Groups of source nodes whose topics must be co-partitioned (joins). */
export type CopartitionGroup = readonly string[];

/**
 * The graph a `StreamsBuilder` accumulates: nodes in creation order, store definitions, global
 * stores and co-partitioning constraints. The DSL only appends to it; `compileTopology` turns it
 * into sub-topologies.
 */
export class TopologyGraph {
  readonly nodes = new Map<string, TopologyNode>();
  readonly stores = new Map<string, StoreDefinition>();
  readonly globalStores: GlobalStoreDefinition[] = [];
  readonly copartitionGroups: CopartitionGroup[] = [];
  readonly repartitionTopics = new Map<string, InternalTopicDefinition>();
  readonly externalSinks: ExternalSinkDefinition[] = [];
  readonly externalSources: ExternalSourceDefinition[] = [];
  private counter = 0;

  /** Kafka Streams-style generated name: `PREFIX-0000000007`. */
  newName(prefix: string): string {
    return `${prefix}-${String(this.counter++).padStart(10, '0')}`;
  }

  addNode(node: TopologyNode): void {
    this.nodes.set(node.name, node);
  }

  addStore(store: StoreDefinition): void {
    this.stores.set(store.name, store);
  }
}
