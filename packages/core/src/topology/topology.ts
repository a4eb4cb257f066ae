import { createHash } from 'node:crypto';
import type { ExternalSinkDefinition } from '../sink/external-sink.js';
import type { ExternalSourceDefinition } from '../source/external-source.js';
import type { GlobalStoreDefinition, SinkNode, SourceNode, TopologyNode } from './graph.js';
import type { StoreDefinition } from './store-definition.js';

/** A connected part of a topology: its own tasks, one per partition of its source topics. */
export interface Subtopology {
  readonly id: number;
  /** Nodes in creation order (sources first within their flow). */
  readonly nodes: readonly TopologyNode[];
  /** Topics the sub-topology consumes (internal ones without the application id prefix). */
  readonly sourceTopics: readonly string[];
  /** Topics read by a source node, mapped to that node's name. */
  readonly sourceNodeByTopic: ReadonlyMap<string, string>;
  /** Stores owned by this sub-topology's tasks. */
  readonly stores: readonly string[];
}

/** Internal topics of a topology under an application id, by full name. */
export interface InternalTopics {
  /** Repartition topics (written and read by the app's own tasks; see {@link Topology.isRepartitionTopic}). */
  readonly repartition: readonly string[];
  /** Outbox topics: what external sinks (Parquet tables, ...) materialize from. */
  readonly outbox: readonly string[];
  /** Position topics: where external sources commit how far they read. */
  readonly position: readonly string[];
  /** Changelog topics: store name to full topic name. */
  readonly changelogs: ReadonlyMap<string, string>;
}

/**
 * A compiled topology (Kafka Streams' `Topology`): sub-topologies of source, processor and sink
 * nodes, state stores and global stores. Made by `StreamsBuilder.build()`; run by the TestDriver
 * or `@weir/kafka`'s `WeirApp`.
 */
export class Topology {
  /** @internal */
  constructor(
    readonly subtopologies: readonly Subtopology[],
    readonly nodes: ReadonlyMap<string, TopologyNode>,
    readonly children: ReadonlyMap<string, readonly string[]>,
    readonly stores: ReadonlyMap<string, StoreDefinition>,
    readonly globalStores: readonly GlobalStoreDefinition[],
    readonly copartitionGroups: readonly (readonly string[])[],
    readonly internalTopicNames: ReadonlySet<string>,
    /** External sinks (Parquet tables, ...) fed through outbox topics. */
    readonly externalSinks: readonly ExternalSinkDefinition[] = [],
    /** External sources (Parquet files, ...) and backfills read into the topology. */
    readonly externalSources: readonly ExternalSourceDefinition[] = [],
  ) {}

  /** The external source (or backfill) entering through source node `nodeName`, if any. */
  externalSourceOf(nodeName: string): ExternalSourceDefinition | undefined {
    return this.externalSources.find((s) => s.nodeName === nodeName);
  }

  /** Whether `topic` (node-level name) is the position topic of an external source. */
  isPositionTopic(topic: string): boolean {
    return this.externalSources.some((s) => s.positionTopic === topic);
  }

  /**
   * Whether `topic` (node-level name) is a repartition topic: internal, written and read by the
   * app's own tasks (not an external sink's outbox nor an external source's position topic).
   */
  isRepartitionTopic(topic: string): boolean {
    return this.internalTopicNames.has(topic) && !this.isPositionTopic(topic) && !this.externalSinks.some((s) => s.outboxTopic === topic);
  }

  /** The full outbox topic of an external sink. */
  outboxTopic(applicationId: string, sink: ExternalSinkDefinition): string {
    return `${applicationId}-${sink.outboxTopic}`;
  }

  /** The full name of a topic under `applicationId`: internal topics get the `<applicationId>-` prefix. */
  topicName(applicationId: string, topic: string): string {
    return this.internalTopicNames.has(topic) ? `${applicationId}-${topic}` : topic;
  }

  /** The changelog topic of a store, as Kafka Streams names it: `<applicationId>-<store>-changelog`. */
  changelogTopic(applicationId: string, store: string): string {
    return `${applicationId}-${store}-changelog`;
  }

  /** The internal topics to create for `applicationId`. */
  internalTopics(applicationId: string): InternalTopics {
    const changelogs = new Map<string, string>();
    for (const store of this.stores.values()) {
      if (store.logging) changelogs.set(store.name, this.changelogTopic(applicationId, store.name));
    }
    const internal = [...this.internalTopicNames];
    return {
      repartition: internal.filter((t) => this.isRepartitionTopic(t)).map((t) => this.topicName(applicationId, t)),
      outbox: this.externalSinks.map((sink) => this.outboxTopic(applicationId, sink)),
      position: internal.filter((t) => this.isPositionTopic(t)).map((t) => this.topicName(applicationId, t)),
      changelogs,
    };
  }

  /** User (non-internal) topics read by the topology, including global-store topics. */
  sourceTopics(): string[] {
    const topics = new Set<string>();
    for (const sub of this.subtopologies) for (const t of sub.sourceTopics) if (!this.internalTopicNames.has(t)) topics.add(t);
    for (const g of this.globalStores) topics.add(g.topic);
    return [...topics];
  }

  /** The sub-topology that consumes `topic` (node-level name), if any. */
  subtopologyOf(topic: string): Subtopology | undefined {
    return this.subtopologies.find((s) => s.sourceNodeByTopic.has(topic));
  }

  /** A short hash identifying this topology's shape and stores: state written by another shape is not reused. */
  fingerprint(): string {
    return createHash('sha256').update(this.describe()).digest('hex').slice(0, 16);
  }

  /** The topology as text, in the layout of Kafka Streams' `TopologyDescription`. */
  describe(): string {
    // Spec (Kafka Streams' TopologyDescription.toString, whitespace included): the first
    // sub-topology is indented by three spaces and the next ones by two; each is followed by a
    // blank line (a global store's is not); sinks list no successors.
    let text = 'Topologies:\n ';
    for (const sub of this.subtopologies) {
      text += `  Sub-topology: ${sub.id}\n`;
      for (const node of sub.nodes) text += `    ${describeNode(node, this.children.get(node.name) ?? [], this.externalSourceOf(node.name))}\n`;
      text += '\n';
    }
    for (const [index, global] of this.globalStores.entries()) {
      text += `  Sub-topology: ${this.subtopologies.length + index} for global store (will not generate tasks)\n`;
      text += `    Source: ${global.sourceName} (topics: [${global.topic}])\n      --> ${global.processorName}\n`;
      text += `    Processor: ${global.processorName} (stores: [${global.store.name}])\n      --> none\n      <-- ${global.sourceName}\n`;
    }
    return text;
  }

  /** The topology as a Mermaid flowchart: one subgraph per sub-topology, topics and stores as their own shapes. */
  describeMermaid(): string {
    const id = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');
    const lines = ['flowchart TD'];
    for (const sub of this.subtopologies) {
      lines.push(`  subgraph sub${sub.id}["Sub-topology ${sub.id}"]`);
      for (const node of sub.nodes) lines.push(`    ${id(node.name)}["${node.name}"]`);
      lines.push('  end');
    }
    for (const sub of this.subtopologies) {
      for (const node of sub.nodes) {
        for (const child of this.children.get(node.name) ?? []) lines.push(`  ${id(node.name)} --> ${id(child)}`);
        if (node.kind === 'source') {
          for (const t of node.topics) lines.push(`  topic_${id(t)}[/"${t}"/] --> ${id(node.name)}`);
        }
        if (node.kind === 'sink' && typeof node.topic === 'string') {
          lines.push(`  ${id(node.name)} --> topic_${id(node.topic)}[/"${node.topic}"/]`);
        }
        if (node.kind === 'processor') {
          for (const s of node.stores) lines.push(`  ${id(node.name)} -.- store_${id(s)}[("${s}")]`);
        }
      }
    }
    return lines.join('\n');
  }
}

function describeNode(node: TopologyNode, children: readonly string[], external: ExternalSourceDefinition | undefined): string {
  const successors = `      --> ${children.length ? children.join(', ') : 'none'}`;
  switch (node.kind) {
    case 'source': {
      if (!external) return `Source: ${node.name} (topics: [${node.topics.join(', ')}])\n${successors}`;
      const what = external.source.describe?.() ?? external.source.name;
      // An external source names what it reads; a backfill is listed after the topics it precedes.
      return external.kind === 'stream'
        ? `Source: ${node.name} (external: ${what})\n${successors}`
        : `Source: ${node.name} (topics: [${node.topics.join(', ')}], backfill: ${what})\n${successors}`;
    }
    case 'processor':
      return `Processor: ${node.name} (stores: [${node.stores.join(', ')}])\n${successors}\n      <-- ${node.parents.join(', ')}`;
    case 'sink':
      return `Sink: ${node.name} (${typeof node.topic === 'string' ? `topic: ${node.topic}` : 'extractor'})\n      <-- ${node.parents.join(', ')}`;
  }
}

export type { SinkNode, SourceNode };
