import { checkDuration } from './durations.js';

/**
 * Sliding windows (Kafka Streams' `SlidingWindows`, KIP-450): windows of fixed size
 * `timeDifferenceMs`, both ends inclusive, that exist only where records are: for each record at
 * `t` there is a window ending at `t` (`[t - timeDifference, t]`) and one starting just after it
 * (`[t + 1, t + 1 + timeDifference]`), and every window holds exactly the records within its
 * bounds. Results are therefore equal to a hopping window advancing by 1 ms, without its cost.
 *
 * @example
 * SlidingWindows.ofTimeDifferenceAndGrace(10_000, 5_000)
 */
export class SlidingWindows {
  private constructor(
    /** Maximum time difference between two records in one window (the window size), in ms. */
    readonly timeDifferenceMs: number,
    /** How long after a window ends late records are still accepted. */
    readonly graceMs: number,
  ) {}

  /** Sliding windows with no grace period. */
  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  /** Sliding windows accepting out-of-order records until stream time reaches window end + grace. */
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    checkDuration('time difference', timeDifferenceMs);
    checkDuration('grace period', graceMs);
    return new SlidingWindows(timeDifferenceMs, graceMs);
  }

  /**
   * How long a window store must keep windows: 2 * time difference + grace (Kafka Streams'
   * `SlidingWindowStoreMaterializer`): a record at `t` reads windows starting from
   * `t - 2 * timeDifference` to find the aggregate its own windows start from.
   */
  retentionMs(): number {
    return 2 * this.timeDifferenceMs + this.graceMs;
  }
}
