import { TopologyError } from '../errors.js';
import type { SessionWindows } from '../windows/session-windows.js';
import type { KGroupedStream } from './kgrouped-stream.js';

/** A grouped stream in session windows (Kafka Streams' `SessionWindowedKStream`). Being implemented. */
export class SessionWindowedKStream<K, V> {
  /** @internal */
  constructor(
    readonly grouped: KGroupedStream<K, V>,
    readonly windows: SessionWindows,
  ) {
    throw new TopologyError('session windows are not implemented yet');
  }
}
