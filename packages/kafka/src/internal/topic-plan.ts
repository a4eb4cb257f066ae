import { type Topology, TopologyError } from '@weir/core';
import type { Admin, ITopicConfig } from 'kafkajs';
import { WeirConfigError } from '../errors.js';

/** The partition count of every topic an app reads or owns, and the internal topics to create. */
export interface TopicPlan {
  /** Full topic name -> partition count, for sources, repartition and changelog topics. */
  readonly partitions: ReadonlyMap<string, number>;
  /** Sub-topology id -> number of tasks (partitions of its sources). */
  readonly tasksPerSubtopology: ReadonlyMap<number, number>;
  /** Internal topics with their settings. */
  readonly internal: readonly ITopicConfig[];
}

const WINDOWED_CHANGELOG_EXTRA_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * Repartition topics as Kafka Streams creates them: no time limit on retention (records not yet
 * consumed must survive an app stopped for days), and 50 MiB segments, because purging
 * (internal/repartition-purger.ts) frees disk a whole segment at a time.
 */
const REPARTITION_TOPIC_CONFIG = [
  { name: 'cleanup.policy', value: 'delete' },
  { name: 'retention.ms', value: '-1' },
  { name: 'segment.bytes', value: String(50 * 1024 * 1024) },
];

/**
 * Works out partition counts as Kafka Streams does: a sub-topology has as many tasks as the most
 * partitioned of its source topics; a repartition topic gets the task count of the sub-topology
 * writing it (or a fixed count); a changelog topic gets the task count of its store's
 * sub-topology; co-partitioned groups (joins) must agree, repartition topics being raised to match.
 *
 * @throws WeirConfigError when a source topic is missing or co-partitioned user topics disagree
 */
export async function planTopics(
  admin: Admin,
  topology: Topology,
  applicationId: string,
  options: { repartitionPartitions: number | undefined; replicationFactor: number },
): Promise<TopicPlan> {
  const full = (t: string) => topology.topicName(applicationId, t);
  const existing = new Set(await admin.listTopics());
  const userTopics = topology.sourceTopics();
  const missing = userTopics.filter((t) => !existing.has(t));
  if (missing.length > 0) {
    throw new WeirConfigError(
      `source topic${missing.length > 1 ? 's' : ''} ${missing.map((t) => `"${t}"`).join(', ')} do${missing.length > 1 ? '' : 'es'} not exist: create ${missing.length > 1 ? 'them' : 'it'} before starting the app`,
      { context: { topic: missing[0]! } },
    );
  }
  const partitions = new Map<string, number>();
  const metadata = await admin.fetchTopicMetadata({ topics: userTopics });
  for (const t of metadata.topics) partitions.set(t.name, t.partitions.length);

  const internalNames = [...topology.internalTopicNames];
  const fixed = new Map<string, number>();
  if (options.repartitionPartitions !== undefined) for (const t of internalNames) fixed.set(t, options.repartitionPartitions);
  // An external source runs as one task: its position topic has one partition, whatever else.
  const positionTopics = internalNames.filter((t) => topology.isPositionTopic(t));
  for (const t of positionTopics) fixed.set(t, 1);

  // Which sub-topology writes each repartition topic.
  const writer = new Map<string, number>();
  for (const sub of topology.subtopologies) {
    for (const node of sub.nodes) if (node.kind === 'sink' && node.internal && typeof node.topic === 'string') writer.set(node.topic, sub.id);
  }
  const tasks = new Map<number, number>();
  const subCount = (subId: number): number | undefined => {
    const sub = topology.subtopologies[subId]!;
    let max: number | undefined;
    for (const t of sub.sourceTopics) {
      const n = partitions.get(full(t));
      if (n === undefined) return undefined;
      max = Math.max(max ?? 0, n);
    }
    return max;
  };
  // Resolve repartition topics to a fixed point: each needs its writer's count first.
  for (let pass = 0; pass <= internalNames.length; pass++) {
    for (const t of internalNames) {
      if (partitions.has(full(t))) continue;
      const n = fixed.get(t) ?? (writer.has(t) ? subCount(writer.get(t)!) : undefined);
      if (n !== undefined) partitions.set(full(t), n);
    }
  }
  for (const t of internalNames) {
    if (!partitions.has(full(t))) throw new WeirConfigError(`cannot work out the partition count of repartition topic "${full(t)}"`);
  }
  // Co-partitioning: user topics must agree; repartition topics follow the largest.
  for (const group of topology.copartitionGroups) {
    const topics = group.flatMap((node) => {
      const n = topology.nodes.get(node);
      return n?.kind === 'source' ? n.topics.map(full) : [];
    });
    const user = topics.filter((t) => !internalNames.includes(t.slice(applicationId.length + 1)));
    const counts = new Set(user.map((t) => partitions.get(t)));
    if (counts.size > 1) {
      throw new WeirConfigError(
        `Invalid topology: topics ${user.map((t) => `${t} (${partitions.get(t)} partitions)`).join(', ')} are joined and must be co-partitioned (same partition count)`,
      );
    }
    // Joined with an external source (one task), repartition topics get one partition too.
    const withSource = topics.some((t) => positionTopics.some((p) => full(p) === t));
    const target = withSource ? 1 : Math.max(...topics.map((t) => partitions.get(t) ?? 0));
    for (const t of topics) if (!user.includes(t)) partitions.set(t, target);
  }
  for (const sub of topology.subtopologies) tasks.set(sub.id, subCount(sub.id) ?? 0);
  checkSourceSubtopologies(topology, full, partitions);

  const internal: ITopicConfig[] = [];
  for (const t of internalNames) {
    internal.push({
      topic: full(t),
      numPartitions: partitions.get(full(t))!,
      replicationFactor: options.replicationFactor,
      configEntries: topology.isRepartitionTopic(t) ? REPARTITION_TOPIC_CONFIG : [{ name: 'cleanup.policy', value: 'delete' }],
    });
  }
  for (const sub of topology.subtopologies) {
    for (const storeName of sub.stores) {
      const store = topology.stores.get(storeName)!;
      if (!store.logging) continue;
      const topic = topology.changelogTopic(applicationId, storeName);
      partitions.set(topic, tasks.get(sub.id)!);
      const windowed = store.type !== 'keyValue';
      internal.push({
        topic,
        numPartitions: tasks.get(sub.id)!,
        replicationFactor: options.replicationFactor,
        configEntries: windowed
          ? [
              { name: 'cleanup.policy', value: 'compact,delete' },
              { name: 'retention.ms', value: String((store.retentionMs ?? 0) + WINDOWED_CHANGELOG_EXTRA_RETENTION_MS) },
            ]
          : [{ name: 'cleanup.policy', value: 'compact' }],
      });
    }
  }
  return { partitions, tasksPerSubtopology: tasks, internal };
}

/**
 * An external source is read by one task, so every topic its sub-topology reads (a join's other
 * side, a merged stream) must have one partition: with more, the other tasks would see only their
 * topic's records and the source's records would meet only partition 0's.
 * @throws TopologyError naming the source and the topic
 */
function checkSourceSubtopologies(topology: Topology, full: (topic: string) => string, partitions: ReadonlyMap<string, number>): void {
  for (const sub of topology.subtopologies) {
    const position = sub.sourceTopics.find((t) => topology.isPositionTopic(t));
    if (position === undefined) continue;
    const source = topology.externalSources.find((s) => s.positionTopic === position)!;
    for (const topic of sub.sourceTopics) {
      const count = partitions.get(full(topic));
      if (topic === position || count === undefined || count === 1) continue;
      throw new TopologyError(
        `external source "${source.source.name}" (one task) is joined or merged with topic "${full(topic)}" (${count} partitions), which must be co-partitioned with it: repartition that stream to 1 partition, or the source stream to ${count}`,
        { context: { node: source.nodeName, topic: full(topic) } },
      );
    }
  }
}

/**
 * Creates the internal topics that do not exist and checks those that do.
 * @throws WeirConfigError when an existing internal topic has the wrong partition count
 */
export async function createInternalTopics(admin: Admin, plan: TopicPlan): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const toCreate = plan.internal.filter((t) => !existing.has(t.topic));
  if (toCreate.length > 0) {
    try {
      await admin.createTopics({ topics: toCreate, waitForLeaders: true });
    } catch (error) {
      // Another instance may have created them first.
      if (!/already exists/i.test((error as Error).message)) throw error;
    }
  }
  const present = plan.internal.filter((t) => existing.has(t.topic)).map((t) => t.topic);
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present });
    for (const t of metadata.topics) {
      const expected = plan.partitions.get(t.name);
      if (expected !== undefined && t.partitions.length !== expected) {
        throw new WeirConfigError(
          `internal topic ${t.name} has ${t.partitions.length} partitions but the topology needs ${expected}; delete it (and the app's state) to reset`,
          { context: { topic: t.name } },
        );
      }
    }
  }
}
