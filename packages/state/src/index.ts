/**
 * `@weir/state`: task state in LMDB for the Weir runtime.
 *
 * The typed stores (key-value, window, session), their write cache and retention live in
 * `@weir/core`, on top of a `TaskStateBackend`; this package provides the durable backend
 * ({@link LmdbStateBackendFactory}) and read-only views for interactive queries
 * ({@link openReadOnlyTaskState}).
 */
export { LmdbStateBackendFactory, type LmdbStateBackendOptions } from './lmdb-state-backend-factory.js';
export { type ChangelogRecord, LmdbTaskStateBackend, type StateOrigin } from './lmdb-task-state-backend.js';
export {
  openReadOnlyTaskState,
  ReadOnlyTaskState,
  type ReadOnlyTaskStateOptions,
  TaskStateSnapshot,
} from './read-only-task-state.js';
export { type StateResetEvent, type StateResetReason, warnOnWipe } from './state-reset-event.js';
export { STATE_FORMAT_VERSION } from './internal/meta.js';
export { MAX_KEY_BYTES } from './internal/stored-keys.js';
