import { defaultSegmentInterval, type StoreDefinition } from '../topology/store-definition.js';
import type { BytesStore } from '../state/backend.js';
import { StoreBuffer } from '../state/internal/store-buffer.js';
import {
  BufferedKeyValueStore,
  BufferedSessionStore,
  BufferedWindowStore,
  type StoreClock,
} from '../state/internal/typed-stores.js';
import type { StateStore } from '../state/stores.js';

/** Opens the typed store a definition describes over its buffer. */
export function openStore(definition: StoreDefinition, buffer: StoreBuffer, clock: StoreClock): StateStore {
  const { name, keySerde, valueSerde } = definition;
  switch (definition.type) {
    case 'keyValue':
      return new BufferedKeyValueStore(name, buffer, keySerde, valueSerde, clock);
    case 'window': {
      const retentionMs = definition.retentionMs ?? Number.MAX_SAFE_INTEGER / 4;
      return new BufferedWindowStore(name, buffer, keySerde, valueSerde, clock, {
        retentionMs,
        segmentIntervalMs: definition.segmentIntervalMs ?? defaultSegmentInterval(retentionMs),
        windowSizeMs: definition.windowSizeMs ?? 0,
      });
    }
    case 'session': {
      const retentionMs = definition.retentionMs ?? Number.MAX_SAFE_INTEGER / 4;
      return new BufferedSessionStore(name, buffer, keySerde, valueSerde, clock, {
        retentionMs,
        segmentIntervalMs: definition.segmentIntervalMs ?? defaultSegmentInterval(retentionMs),
      });
    }
  }
}

/**
 * A typed view of a store's committed data, for interactive queries: reads go straight to the
 * byte store (LMDB), which only ever holds committed state, never the task's uncommitted writes.
 */
export function openCommittedStore(definition: StoreDefinition, bytes: BytesStore): StateStore {
  const buffer = new StoreBuffer(definition.name, bytes, { caching: false, maxCacheBytes: 0 });
  return openStore(definition, buffer, { recordTimestamp: () => 0 });
}
