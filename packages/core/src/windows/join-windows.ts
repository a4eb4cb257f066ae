import { checkDuration } from './durations.js';

/**
 * The time bounds of a stream-stream join (Kafka Streams' `JoinWindows`): a record at `t` on the
 * left joins right records with timestamps in `[t - beforeMs, t + afterMs]`.
 *
 * @example
 * JoinWindows.ofTimeDifferenceAndGrace(5_000, 1_000)   // +-5 s, grace 1 s
 */
export class JoinWindows {
  private constructor(
    /** How far before a left record a right record may be. */
    readonly beforeMs: number,
    /** How far after a left record a right record may be. */
    readonly afterMs: number,
    /** How long after a window closes late records are still accepted. */
    readonly graceMs: number,
  ) {}

  /** Symmetric join window of +-`timeDifferenceMs` with no grace. */
  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  /** Symmetric join window of +-`timeDifferenceMs` with a grace period. */
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    checkDuration('time difference', timeDifferenceMs);
    checkDuration('grace period', graceMs);
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, graceMs);
  }

  /** Changes how far before a left record a right record may be. */
  before(beforeMs: number): JoinWindows {
    checkDuration('before', beforeMs);
    return new JoinWindows(beforeMs, this.afterMs, this.graceMs);
  }

  /** Changes how far after a left record a right record may be. */
  after(afterMs: number): JoinWindows {
    checkDuration('after', afterMs);
    return new JoinWindows(this.beforeMs, afterMs, this.graceMs);
  }

  /** Size of the join window: before + after. */
  sizeMs(): number {
    return this.beforeMs + this.afterMs;
  }
}
