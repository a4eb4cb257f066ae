import { TopologyError } from '../errors.js';
import type { ExternalSourceDefinition } from './external-source.js';

/**
 * The offset of the live topic's partition where a backfill hands over: the explicit
 * `backfillOffsets` entry, else the one the source records (a Weir table's commit log).
 * @throws TopologyError when neither knows the partition: starting anywhere else would lose or
 * repeat records
 */
export async function backfillStartOffset(definition: ExternalSourceDefinition, topic: string, partition: number): Promise<bigint> {
  const key = `${definition.topic ?? topic}:${partition}`;
  const explicit = definition.offsets?.[key];
  if (explicit !== undefined) return BigInt(explicit);
  const recorded = await definition.source.followingOffsets?.();
  const offset = recorded?.[key];
  if (offset !== undefined) return BigInt(offset);
  const known = recorded ? Object.keys(recorded).join(', ') || 'none' : 'none';
  throw new TopologyError(
    `backfill "${definition.source.name}" of topic "${definition.topic}" does not say where partition ${partition} continues: its source records offsets for [${known}]; pass backfillOffsets { "${key}": "<offset>" }`,
    { context: { node: definition.nodeName, topic: definition.topic ?? topic, partition } },
  );
}
