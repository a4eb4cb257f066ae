import { checkDuration } from './durations.js';
import type { Window } from './windowed.js';


/**
 * Fixed-size windows aligned to the epoch (Kafka Streams' `TimeWindows`): tumbling when the
 * advance equals the size, hopping when it is smaller. A record at time `t` belongs to every
 * window `[start, start + size)` with `start <= t < start + size` and `start` a multiple of
 * the advance.
 *
 * @example
 * TimeWindows.ofSizeAndGrace(60_000, 10_000)               // tumbling 1 min, grace 10 s
 * TimeWindows.ofSizeWithNoGrace(300_000).advanceBy(60_000) // hopping 5 min every 1 min
 */
export class TimeWindows {
  private constructor(
    /** Window size in ms. */
    readonly sizeMs: number,
    /** Distance between window starts in ms. */
    readonly advanceMs: number,
    /** How long after a window ends late records are still accepted. */
    readonly graceMs: number,
  ) {}

  /** Tumbling windows of `sizeMs` that accept no late record once stream time passes their end. */
  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return TimeWindows.ofSizeAndGrace(sizeMs, 0);
  }

  /** Tumbling windows of `sizeMs` that accept out-of-order records until stream time reaches end + `graceMs`. */
  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    checkDuration('window size', sizeMs, 1);
    checkDuration('grace period', graceMs);
    return new TimeWindows(sizeMs, sizeMs, graceMs);
  }

  /** Hopping windows: a new window starts every `advanceMs` (0 < advance <= size). */
  advanceBy(advanceMs: number): TimeWindows {
    checkDuration('window advance', advanceMs, 1);
    if (advanceMs > this.sizeMs) {
      throw new RangeError(`window advance (${advanceMs} ms) must not exceed the window size (${this.sizeMs} ms)`);
    }
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }

  /** The windows containing `timestamp`, by start time (Kafka Streams' `TimeWindows.windowsFor`). */
  windowsFor(timestamp: number): Window[] {
    const windows: Window[] = [];
    let start = Math.floor(Math.max(0, timestamp - this.sizeMs + this.advanceMs) / this.advanceMs) * this.advanceMs;
    for (; start <= timestamp; start += this.advanceMs) windows.push({ start, end: start + this.sizeMs });
    return windows;
  }

  /** How long a window store must keep windows: size + grace. */
  retentionMs(): number {
    return this.sizeMs + this.graceMs;
  }
}
