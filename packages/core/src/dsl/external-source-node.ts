import { TopologyError } from '../errors.js';
import type { ExternalSource } from '../source/external-source.js';
import type { Serde } from '../serde/serde.js';
import type { InternalBuilder } from './internal-builder.js';

const SOURCE_NAME = /^[A-Za-z0-9._-]+$/;

function checkName(builder: InternalBuilder, source: ExternalSource<unknown, unknown>): void {
  if (!SOURCE_NAME.test(source.name)) {
    throw new TopologyError(`external source name "${source.name}" may only contain letters, digits, ".", "_" and "-"`);
  }
  if (builder.graph.externalSources.some((s) => s.source.name === source.name)) {
    throw new TopologyError(`two external sources are named "${source.name}"; give one another name`, { context: { node: source.name } });
  }
}

/**
 * Adds the source node of an external source: a sub-topology of its own whose single task reads
 * the source. The node "reads" the internal 1-partition topic `<name>-position`, which carries
 * nothing: its committed offset holds the task's metadata (the source position among it), and
 * assigning its one partition decides which instance runs the source.
 * @returns the source node's name
 */
export function addExternalSource(builder: InternalBuilder, source: ExternalSource<unknown, unknown>, nodeName: string): string {
  checkName(builder, source);
  const positionTopic = `${source.name}-position`;
  builder.addSource(nodeName, [positionTopic], source.keySerde as Serde<unknown>, source.valueSerde as Serde<unknown>, { internal: true });
  builder.graph.externalSources.push({ source, nodeName, kind: 'stream', positionTopic });
  return nodeName;
}

/**
 * Attaches a backfill to the source node of `topic`: each task of the topic reads the backfill's
 * records of its partition first, then the topic from the offsets where the backfill ends.
 */
export function addBackfill(
  builder: InternalBuilder,
  source: ExternalSource<unknown, unknown>,
  nodeName: string,
  topics: readonly string[],
  offsets: Readonly<Record<string, string>> | undefined,
): void {
  const [topic, ...more] = topics;
  if (topic === undefined || more.length > 0) {
    throw new TopologyError(`a backfill precedes exactly one topic, but source "${nodeName}" reads [${topics.join(', ')}]`, {
      context: { node: nodeName },
    });
  }
  checkName(builder, source);
  for (const [key, offset] of Object.entries(offsets ?? {})) {
    if (!key.startsWith(`${topic}:`) || !/^\d+$/.test(key.slice(topic.length + 1)) || !/^\d+$/.test(offset)) {
      throw new TopologyError(`backfillOffsets entry "${key}": "${offset}" must look like "${topic}:<partition>": "<offset>"`, {
        context: { node: nodeName, topic },
      });
    }
  }
  builder.graph.externalSources.push({ source, nodeName, kind: 'backfill', topic, ...(offsets ? { offsets } : {}) });
}
