import type { Topology } from '@weir/core';
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

/** A task: a sub-topology and one partition of its source topics. */
export interface TaskId {
  readonly subtopology: number;
  readonly partition: number;
}

export function taskIdString(task: TaskId): string {
  return `${task.subtopology}_${task.partition}`;
}

/**
 * The partition assigner of an app's consumer group. Kafka's default assigners hand out
 * topic-partitions one by one, but a task consumes partition `p` of every source topic of its
 * sub-topology (both sides of a join, every merged topic): the assignment unit is the task.
 * Tasks are sorted and dealt round-robin to the sorted members, so every member computes the
 * same plan and load is even.
 *
 * @param topology the topology; its node-level topic names are mapped to full names by `fullTopic`
 */
export function taskAssigner(
  topology: Topology,
  fullTopic: (topic: string) => string,
): PartitionAssigner {
  return ({ cluster }) => ({
    name: 'WeirTaskAssigner',
    version: 1,
    async assign({ members, topics }) {
      const tasks: Array<{ task: TaskId; topics: string[] }> = [];
      for (const sub of topology.subtopologies) {
        const subTopics = sub.sourceTopics.map(fullTopic).filter((t) => topics.includes(t));
        let partitions = 0;
        for (const topic of subTopics) {
          partitions = Math.max(partitions, cluster.findTopicPartitionMetadata(topic).length);
        }
        for (let p = 0; p < partitions; p++) tasks.push({ task: { subtopology: sub.id, partition: p }, topics: subTopics });
      }
      const memberIds = members.map((m) => m.memberId).sort();
      const plan = new Map<string, Record<string, number[]>>(memberIds.map((id) => [id, {}]));
      tasks.forEach(({ task, topics: taskTopics }, i) => {
        const assignment = plan.get(memberIds[i % memberIds.length] as string)!;
        for (const topic of taskTopics) {
          const list = assignment[topic] ?? [];
          list.push(task.partition);
          assignment[topic] = list;
        }
      });
      return memberIds.map((memberId) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: plan.get(memberId)!,
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name: 'WeirTaskAssigner',
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
      };
    },
  });
}

/**
 * An assigner that gives its (single) member exactly the partitions asked for: how Weir reads
 * chosen partitions (changelog restore) with kafkajs, which has no manual assignment.
 */
export function fixedAssigner(wanted: ReadonlyMap<string, readonly number[]>): PartitionAssigner {
  return () => ({
    name: 'WeirFixedAssigner',
    version: 1,
    async assign({ members }) {
      const assignment: Record<string, number[]> = {};
      for (const [topic, partitions] of wanted) assignment[topic] = [...partitions];
      return members.map((m, i) => ({
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: i === 0 ? assignment : {},
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name: 'WeirFixedAssigner',
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
      };
    },
  });
}
