import { TopologyError } from '../errors.js';
import type { TopologyGraph, TopologyNode } from './graph.js';
import { type Subtopology, Topology } from './topology.js';

/**
 * Compiles a builder's graph: validates it, then splits it into sub-topologies, the connected
 * components of nodes joined by parent edges or by a shared state store (repartition topics cut
 * the graph, since their sink and source are different nodes).
 * @throws TopologyError naming the offending node
 */
export function compileTopology(graph: TopologyGraph, duplicateNames: readonly string[]): Topology {
  for (const name of duplicateNames) {
    // The builder records duplicate node names and duplicate store names in one list.
    if (!graph.nodes.has(name)) throw new TopologyError(`store name "${name}" is used more than once`, { context: { store: name } });
    throw new TopologyError(`node name "${name}" is used more than once`, { context: { node: name } });
  }
  const nodes = graph.nodes;
  if (![...nodes.values()].some((n) => n.kind === 'source') && graph.globalStores.length === 0) {
    throw new TopologyError('the topology has no source node: add builder.stream(), table() or globalTable()');
  }

  const children = new Map<string, string[]>();
  for (const node of nodes.values()) children.set(node.name, []);
  const topicOwner = new Map<string, string>();
  for (const node of nodes.values()) {
    if (node.kind === 'source') {
      if (node.topics.length === 0) throw new TopologyError(`source node "${node.name}" reads no topic`, { context: { node: node.name } });
      for (const topic of node.topics) {
        const owner = topicOwner.get(topic);
        if (owner) {
          throw new TopologyError(`topic "${topic}" is read by both "${owner}" and "${node.name}"; read it once and share the stream`, {
            context: { node: node.name, topic },
          });
        }
        topicOwner.set(topic, node.name);
      }
      continue;
    }
    if (node.parents.length === 0) throw new TopologyError(`node "${node.name}" has no parent`, { context: { node: node.name } });
    for (const parent of node.parents) {
      const parentNode = nodes.get(parent);
      if (!parentNode) throw new TopologyError(`node "${node.name}" has unknown parent "${parent}"`, { context: { node: node.name } });
      if (parentNode.kind === 'sink') {
        throw new TopologyError(`node "${node.name}" cannot follow sink "${parent}"`, { context: { node: node.name } });
      }
      children.get(parent)!.push(node.name);
    }
    if (node.kind === 'processor') {
      for (const store of node.stores) {
        if (!graph.stores.has(store) && !graph.globalStores.some((g) => g.store.name === store)) {
          throw new TopologyError(`processor "${node.name}" uses unknown store "${store}"`, { context: { node: node.name, store } });
        }
      }
    }
  }
  for (const global of graph.globalStores) {
    const owner = topicOwner.get(global.topic);
    if (owner) throw new TopologyError(`topic "${global.topic}" is read by both "${owner}" and global store "${global.store.name}"`);
  }

  // Union-find over nodes: parent edges and shared stores put nodes in one sub-topology.
  const root = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (root.get(r) !== r) r = root.get(r)!;
    root.set(x, r);
    return r;
  };
  const union = (a: string, b: string) => root.set(find(a), find(b));
  for (const name of nodes.keys()) root.set(name, name);
  const storeUser = new Map<string, string>();
  for (const node of nodes.values()) {
    if (node.kind !== 'source') for (const p of node.parents) union(node.name, p);
    if (node.kind === 'processor') {
      for (const store of node.stores) {
        if (graph.globalStores.some((g) => g.store.name === store)) continue; // global stores are shared by all tasks
        const other = storeUser.get(store);
        if (other) union(node.name, other);
        else storeUser.set(store, node.name);
      }
    }
  }

  const groups = new Map<string, TopologyNode[]>();
  for (const node of nodes.values()) {
    const r = find(node.name);
    const list = groups.get(r) ?? [];
    list.push(node);
    groups.set(r, list);
  }
  const subtopologies: Subtopology[] = [];
  for (const members of groups.values()) {
    const sourceNodeByTopic = new Map<string, string>();
    const stores = new Set<string>();
    for (const node of members) {
      if (node.kind === 'source') for (const t of node.topics) sourceNodeByTopic.set(t, node.name);
      if (node.kind === 'processor') for (const s of node.stores) if (graph.stores.has(s)) stores.add(s);
    }
    if (sourceNodeByTopic.size === 0) {
      throw new TopologyError(`node "${members[0]!.name}" is not connected to any source`, { context: { node: members[0]!.name } });
    }
    subtopologies.push({
      id: subtopologies.length,
      nodes: members,
      sourceTopics: [...sourceNodeByTopic.keys()],
      sourceNodeByTopic,
      stores: [...stores],
    });
  }

  return new Topology(
    subtopologies,
    nodes,
    children,
    graph.stores,
    graph.globalStores,
    graph.copartitionGroups,
    new Set([
      ...graph.repartitionTopics.keys(),
      ...graph.externalSinks.map((s) => s.outboxTopic),
      ...graph.externalSources.flatMap((s) => (s.positionTopic === undefined ? [] : [s.positionTopic])),
    ]),
    graph.externalSinks,
    graph.externalSources,
  );
}
