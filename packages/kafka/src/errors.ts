import { WeirError } from '@weir/core';

/** A configuration problem found at start: missing id, unreachable brokers, missing topics, ... */
export class WeirConfigError extends WeirError {
  override name = 'WeirConfigError';
}

/** The app cannot go on: a fatal error from a handler set to fail, or a broker error it cannot recover from. */
export class WeirRuntimeError extends WeirError {
  override name = 'WeirRuntimeError';
}

/**
 * The broker refused a record for what it is (too large, a timestamp outside the topic's
 * accepted range). Retrying cannot help, so the app stops with this error instead of rewinding
 * and failing the same commit again.
 */
export class RecordRejectedError extends WeirRuntimeError {
  override name = 'RecordRejectedError';
}

/** The broker refused a record as larger than the topic's `max.message.bytes`. */
export class RecordTooLargeError extends RecordRejectedError {
  override name = 'RecordTooLargeError';
}

/**
 * The broker refused a commit's offsets for the task metadata they carry (stream time and the
 * progress of each stateful processor, committed atomically with the offsets): larger than its
 * `offset.metadata.max.bytes` (4096 by default). Every retry would fail the same way, so the
 * app stops with this error instead of rewinding.
 */
export class CommitMetadataTooLargeError extends WeirRuntimeError {
  override name = 'CommitMetadataTooLargeError';
}

/** Another instance took over a task while this one still held it (a zombie): its commit was refused. */
export class TaskMigratedError extends WeirError {
  override name = 'TaskMigratedError';
}
