import type { DropReason } from '@weir/core';

/** A snapshot of an app's metrics. */
export interface AppMetrics {
  /** Records processed by all tasks since start. */
  readonly recordsProcessed: number;
  /** Records dropped, by reason (late, null key, errors, ...). */
  readonly recordsDropped: Record<DropReason, number>;
  /** Commits done since start. */
  readonly commits: number;
  /** Commit latency in ms: last and maximum. */
  readonly commitLatencyMs: { readonly last: number; readonly max: number };
  /** Consumer lag per topic-partition (`topic:partition` -> records behind the end), as of the last batch. */
  readonly lag: Readonly<Record<string, number>>;
  /** Approximate entries per store across this instance's tasks. */
  readonly storeSizes: Readonly<Record<string, number>>;
  /** Tasks running on this instance. */
  readonly tasks: readonly string[];
}

/** Counters the app updates as it runs. */
export class MetricsRecorder {
  commits = 0;
  lastCommitMs = 0;
  maxCommitMs = 0;
  /** Counters of tasks already closed on this instance, so totals never go backwards. */
  readonly closedProcessed = { value: 0 };
  readonly closedDropped: Record<DropReason, number> = { late: 0, 'null-key': 0, 'null-value': 0, error: 0, expired: 0 };
  readonly lag = new Map<string, number>();

  recordCommit(ms: number): void {
    this.commits++;
    this.lastCommitMs = ms;
    this.maxCommitMs = Math.max(this.maxCommitMs, ms);
  }
}
