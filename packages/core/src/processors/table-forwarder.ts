import type { ProcessorContext } from '../processor/processor.js';
import type { RecordHeaders } from '../serde/serde.js';
import type { Change } from '../serde/internal-serdes.js';
import type { TypedFlushListener } from '../state/internal/typed-stores.js';
import type { ValueAndTimestamp } from '../state/stores.js';

/** A store that may cache: what an aggregation forwards through. */
export interface CachingStore<V> {
  readonly cachingEnabled: boolean;
  setFlushListener(listener: TypedFlushListener<never, V>): void;
}

/**
 * Forwards a KTable's updates the way Kafka Streams' `TimestampedTupleForwarder` does: with
 * caching on, nothing is forwarded while processing; the store's cache forwards each key's latest
 * update when it flushes (at commit or eviction), so repeated updates within a commit interval
 * become one. With caching off, every update is forwarded at once.
 *
 * @returns the function a processor calls after each store update
 */
export function tableForwarder<KS, V>(
  context: ProcessorContext<KS, Change<V>>,
  store: CachingStore<ValueAndTimestamp<V>>,
  sendOldValues: () => boolean,
): (key: KS, newValue: V | null, oldValue: V | null, timestamp: number, headers: RecordHeaders) => void {
  if (store.cachingEnabled) {
    const listener: TypedFlushListener<KS, ValueAndTimestamp<V>> = (key, newValue, oldValue, timestamp) => {
      context.forward({
        key,
        value: { newValue: newValue?.value ?? null, oldValue: sendOldValues() ? (oldValue?.value ?? null) : null },
        timestamp: newValue?.timestamp ?? timestamp,
        headers: {},
      });
    };
    store.setFlushListener(listener as TypedFlushListener<never, ValueAndTimestamp<V>>);
    return () => {};
  }
  return (key, newValue, oldValue, timestamp, headers) => {
    context.forward({ key, value: { newValue, oldValue: sendOldValues() ? oldValue : null }, timestamp, headers });
  };
}
