import { TopologyError } from '../errors.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import { Serdes } from '../serde/serdes.js';
import type { Serde } from '../serde/serde.js';
import { type SinkNode, type TimestampExtractor, TopologyGraph } from '../topology/graph.js';
import type { StoreDefinition } from '../topology/store-definition.js';
import type { Named } from './config.js';

/** Builder-wide defaults. */
export interface StreamsBuilderOptions {
  /** Serde for keys when an operator is given none (default JSON). */
  readonly defaultKeySerde?: Serde<unknown>;
  /** Serde for values when an operator is given none (default JSON). */
  readonly defaultValueSerde?: Serde<unknown>;
}

/**
 * The graph under construction and the naming rules, shared by every stream and table of one
 * builder. Streams and tables only call `addProcessor`/`addSink`/... and keep the name of their
 * last node.
 */
export class InternalBuilder {
  readonly graph = new TopologyGraph();
  readonly duplicateNames: string[] = [];
  readonly defaultKeySerde: Serde<unknown>;
  readonly defaultValueSerde: Serde<unknown>;
  private readonly usedNames = new Set<string>();

  constructor(options: StreamsBuilderOptions = {}) {
    this.defaultKeySerde = options.defaultKeySerde ?? Serdes.Json();
    this.defaultValueSerde = options.defaultValueSerde ?? Serdes.Json();
  }

  /** A user-given name, or a generated `PREFIX-0000000007` one. */
  name(prefix: string, named?: Named | string): string {
    const given = typeof named === 'string' ? named : named?.name;
    return given ?? this.graph.newName(prefix);
  }

  /** The next generated suffix index as a name with `prefix` (for stores and topics). */
  generated(prefix: string): string {
    return this.graph.newName(prefix);
  }

  private claim(name: string): void {
    if (this.usedNames.has(name)) this.duplicateNames.push(name);
    this.usedNames.add(name);
  }

  addSource(
    name: string,
    topics: readonly string[],
    keySerde: Serde<unknown>,
    valueSerde: Serde<unknown>,
    options: { internal?: boolean; timestampExtractor?: TimestampExtractor } = {},
  ): void {
    this.claim(name);
    if (topics.length === 0) throw new TopologyError(`source node "${name}" reads no topic`, { context: { node: name } });
    this.graph.addNode({
      kind: 'source',
      name,
      topics,
      internal: options.internal ?? false,
      keySerde,
      valueSerde,
      ...(options.timestampExtractor ? { timestampExtractor: options.timestampExtractor } : {}),
    });
  }

  addProcessor<KIn, VIn, KOut, VOut>(
    name: string,
    parents: readonly string[],
    supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>,
    stores: readonly string[] = [],
  ): void {
    this.claim(name);
    this.graph.addNode({
      kind: 'processor',
      name,
      parents,
      supplier: supplier as unknown as ProcessorSupplier<unknown, unknown, unknown, unknown>,
      stores,
    });
  }

  addSink(node: Omit<SinkNode, 'kind'>): void {
    this.claim(node.name);
    this.graph.addNode({ kind: 'sink', ...node });
  }

  addStore(definition: StoreDefinition): void {
    if (this.graph.stores.has(definition.name)) {
      this.duplicateNames.push(definition.name);
      return;
    }
    this.graph.addStore(definition);
  }
}
