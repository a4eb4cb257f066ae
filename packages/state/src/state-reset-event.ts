/** Why a task's state directory was not reused. */
export type StateResetReason =
  /** No state directory (or an empty one): the task is new to this machine. */
  | 'missing'
  /** The directory holds no complete Weir state (no data file, or no identity entries). */
  | 'incomplete'
  /** Written by another topology version (fingerprint): its stores may mean something else. */
  | 'fingerprint-mismatch'
  /** Written in another on-disk format version. */
  | 'format-mismatch'
  /** Recorded for another task id (a copied or renamed directory). */
  | 'task-mismatch'
  /** LMDB cannot open or read it. */
  | 'corrupt'
  /** The runtime asked for it (`LmdbStateBackendFactory.wipe`), e.g. after a read failed or the changelog was truncated. */
  | 'requested';

/** A task's state found unusable (or absent) when the task was opened. */
export interface StateResetEvent {
  /** The task, e.g. `0_3`. */
  readonly taskId: string;
  /** The task's state directory. */
  readonly path: string;
  readonly reason: StateResetReason;
  /** What was found, e.g. `fingerprint 'abc' != 'def'` or the LMDB error message. */
  readonly detail: string;
  /** Whether existing files were deleted (false only for `missing`). */
  readonly wiped: boolean;
}

/**
 * The default report: a warning for wiped state (a restore from the changelogs follows, which can
 * take long enough to deserve a line in the log); nothing for a task that is merely new here.
 */
export function warnOnWipe(event: StateResetEvent): void {
  if (!event.wiped) return;
  console.warn(
    `[weir] discarded state of task ${event.taskId} at ${event.path} (${event.reason}: ${event.detail}); ` +
      'it will be restored from the changelogs',
  );
}
