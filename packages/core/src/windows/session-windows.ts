import { checkDuration } from './durations.js';

/**
 * Session windows (Kafka Streams' `SessionWindows`): records of one key less than the inactivity
 * gap apart form a session `[first, last]`; a record that falls within the gap of two sessions
 * merges them.
 *
 * @example
 * SessionWindows.ofInactivityGapAndGrace(300_000, 10_000)
 */
export class SessionWindows {
  private constructor(
    /** Maximum gap between records of one session, in ms. */
    readonly inactivityGapMs: number,
    /** How long after a session ends late records are still accepted. */
    readonly graceMs: number,
  ) {}

  /** Sessions with no grace period. */
  static ofInactivityGapWithNoGrace(inactivityGapMs: number): SessionWindows {
    return SessionWindows.ofInactivityGapAndGrace(inactivityGapMs, 0);
  }

  /** Sessions accepting out-of-order records until stream time reaches session end + gap + grace. */
  static ofInactivityGapAndGrace(inactivityGapMs: number, graceMs: number): SessionWindows {
    checkDuration('inactivity gap', inactivityGapMs, 1);
    checkDuration('grace period', graceMs);
    return new SessionWindows(inactivityGapMs, graceMs);
  }

  /** How long a session store must keep sessions: gap + grace. */
  retentionMs(): number {
    return this.inactivityGapMs + this.graceMs;
  }
}
