import { TopologyError } from '../../errors.js';
import type { Serde } from '../../serde/serde.js';
import type { InternalBuilder } from '../internal-builder.js';
import { KStream } from '../kstream.js';
import { repartitionStream } from '../repartition.js';

/** The source nodes a node reads from, found by walking its parents up the graph. */
export function sourceNodesOf(builder: InternalBuilder, nodeName: string): string[] {
  const sources: string[] = [];
  const seen = new Set<string>();
  const pending = [nodeName];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const node = builder.graph.nodes.get(name);
    if (!node) continue;
    if (node.kind === 'source') sources.push(name);
    else pending.push(...node.parents);
  }
  return sources.sort();
}

/**
 * Records that the inputs of a join must be co-partitioned: the source nodes feeding each of
 * `nodeNames` form one group, which the runtime checks (same partition count) before it runs.
 */
export function registerCopartitionGroup(builder: InternalBuilder, nodeNames: readonly string[]): void {
  const group = [...new Set(nodeNames.flatMap((name) => sourceNodesOf(builder, name)))].sort();
  const same = (other: readonly string[]) => other.length === group.length && other.every((name, i) => name === group[i]);
  if (!builder.graph.copartitionGroups.some(same)) builder.graph.copartitionGroups.push(group);
}

/** Throws unless both inputs of a join were built by the same builder. */
export function checkSameBuilder(a: { builder: InternalBuilder }, b: { builder: InternalBuilder }, operator: string): void {
  if (a.builder !== b.builder) throw new TopologyError(`${operator}: cannot join inputs of different builders`);
}

/**
 * Repartitions one input of a join by its current key (Kafka Streams' `repartitionForJoin`):
 * through the topic `<name>-repartition`. Joining the same stream twice reuses the topic, as
 * Kafka Streams does for generated names.
 */
export function repartitionForJoin<K, V>(
  stream: KStream<K, V>,
  options: { name: string; keySerde: Serde<K>; valueSerde: Serde<V>; dropNullKeys: boolean },
): KStream<K, V> {
  const { builder } = stream;
  const sourceName = `${options.name}-repartition-source`;
  if (builder.graph.nodes.has(sourceName)) {
    return new KStream<K, V>(builder, sourceName, options.keySerde, options.valueSerde, false);
  }
  return repartitionStream(stream, {
    name: options.name,
    keySerde: options.keySerde,
    valueSerde: options.valueSerde,
    partitions: undefined,
    partitioner: undefined,
    prefix: 'KSTREAM-REPARTITION',
    dropNullKeys: options.dropNullKeys,
  });
}
