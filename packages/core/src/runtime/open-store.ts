import { defaultSegmentInterval, type StoreDefinition } from '../topology/store-definition.js';
import type { StoreBuffer } from '../state/internal/store-buffer.js';
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
