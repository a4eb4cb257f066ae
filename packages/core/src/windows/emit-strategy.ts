/**
 * When a windowed aggregation emits (Kafka Streams' `EmitStrategy`, KIP-825).
 * - `onWindowUpdate()` (default): every update, deduplicated per commit by the store cache.
 * - `onWindowClose()`: each window once, when stream time reaches its end + grace.
 */
export class EmitStrategy {
  private constructor(readonly type: 'ON_WINDOW_UPDATE' | 'ON_WINDOW_CLOSE') {}

  static onWindowUpdate(): EmitStrategy {
    return new EmitStrategy('ON_WINDOW_UPDATE');
  }

  static onWindowClose(): EmitStrategy {
    return new EmitStrategy('ON_WINDOW_CLOSE');
  }
}
