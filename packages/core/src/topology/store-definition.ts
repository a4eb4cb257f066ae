import type { Serde } from '../serde/serde.js';

/** The kinds of state store a topology can hold. */
export type StoreType = 'keyValue' | 'window' | 'session';

/**
 * How a state store is built: the compiled topology carries one per store, and the runtime and
 * the TestDriver open the store from it.
 */
export interface StoreDefinition {
  readonly name: string;
  readonly type: StoreType;
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
  /** Backed by a compacted changelog topic `<applicationId>-<name>-changelog` (default true). */
  readonly logging: boolean;
  /** Record cache: deduplicate updates per commit and forward them on flush (default true for DSL aggregations). */
  readonly caching: boolean;
  /** Window and session stores: how long data is kept after the store's stream time passes it. */
  readonly retentionMs?: number;
  /** Window stores: the window size, to rebuild `Windowed` keys on reads. */
  readonly windowSizeMs?: number;
  /** Window and session stores: segment width (Kafka Streams: max(retention / 2, 60 s)). */
  readonly segmentIntervalMs?: number;
}

/** Kafka Streams' default segment interval for a retention period. */
export function defaultSegmentInterval(retentionMs: number): number {
  return Math.max(Math.floor(retentionMs / 2), 60_000);
}
