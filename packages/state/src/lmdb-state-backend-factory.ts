import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IllegalStateError, type StateBackendFactory, StateStoreError } from '@weir/core';
import type { EnvSettings } from './internal/lmdb-env.js';
import { claimOwner, hasOwner, releaseOwner } from './internal/open-handles.js';
import { createState, inspectStateDir, type OpenedState, wipeStateDir } from './internal/state-dir.js';
import { checkStoreName, checkTaskId } from './internal/validate.js';
import { LmdbTaskStateBackend, type StateOrigin } from './lmdb-task-state-backend.js';
import { type StateResetEvent, warnOnWipe } from './state-reset-event.js';

/** Options of {@link LmdbStateBackendFactory}. */
export interface LmdbStateBackendOptions {
  /** Directory holding one sub-directory per task (`<stateDir>/<taskId>/`); created when missing. */
  stateDir: string;
  /**
   * Initial size of each task's memory map, in bytes. // default: lmdb-js's (small; about 1 MiB)
   * The map grows on demand (lmdb-js resizes it when a transaction needs more), so this only saves
   * a few resizes for a task known to be large.
   */
  mapSize?: number;
  /** Most stores one task can have (LMDB fixes the number of sub-databases when it opens). // default: 64 */
  maxStores?: number;
  /**
   * Told when a task's state is not reused: missing, or wiped because it was incomplete, corrupt,
   * or written by another topology fingerprint, format version or task. // default: console.warn of wipes
   */
  onReset?: (event: StateResetEvent) => void;
}

/**
 * Opens task state in LMDB: one environment per task at `<stateDir>/<taskId>/`, one sub-database
 * per store, and a `__weir_meta` sub-database with the checkpoint, the topology fingerprint and the
 * format version.
 *
 * State is used only if it can be trusted. A directory that is missing, incomplete, unreadable,
 * corrupt, or written by another fingerprint, format version or task is reported to `onReset`,
 * deleted and recreated empty, so that the runtime restores it from the changelogs.
 *
 * @example
 * const factory = new LmdbStateBackendFactory({ stateDir: '/var/lib/weir/my-app' });
 * const backend = factory.open('0_3', ['counts'], topologyFingerprint);
 * backend.commit({ writes: [{ store: 'counts', key, value }], rangeDeletes: [], checkpoint: { counts: '42' } });
 */
export class LmdbStateBackendFactory implements StateBackendFactory {
  private readonly stateDir: string;
  private readonly settings: EnvSettings;
  private readonly maxStores: number;
  private readonly onReset: (event: StateResetEvent) => void;

  constructor({ stateDir, mapSize, maxStores = 64, onReset = warnOnWipe }: LmdbStateBackendOptions) {
    this.stateDir = stateDir;
    this.maxStores = maxStores;
    this.onReset = onReset;
    this.settings = { mapSize, maxDbs: maxStores + 1 };
  }

  /**
   * Opens (or creates) the state of a task; see the class comment for when state is wiped.
   * @param taskId the task, e.g. `0_3`; names the task's directory
   * @param stores the names of the task's stores (their sub-databases are created now)
   * @param fingerprint identifies the topology version; state written by another version is wiped
   * @returns the task's backend; `origin` says whether the state was reused, created or wiped
   * @throws IllegalStateError if this process already has the task open
   * @throws StateStoreError for an invalid task id or store name, too many stores, or a state
   *   directory that cannot be created or wiped
   */
  open(taskId: string, stores: readonly string[], fingerprint: string): LmdbTaskStateBackend {
    checkTaskId(taskId);
    for (const store of stores) checkStoreName(store, taskId);
    if (stores.length > this.maxStores) {
      throw new StateStoreError(`task ${taskId} has ${stores.length} stores, more than maxStores (${this.maxStores})`, {
        context: { task: taskId },
      });
    }
    const path = join(this.stateDir, taskId);
    if (!claimOwner(path)) {
      throw new IllegalStateError(`task ${taskId} is already open in this process (${path}); close it first`, {
        context: { task: taskId, file: path },
      });
    }
    try {
      const expected = { taskId, fingerprint, stores };
      const inspected = inspectStateDir(path, expected, this.settings);
      let opened: OpenedState;
      let origin: StateOrigin;
      if ('env' in inspected) {
        opened = inspected;
        origin = 'reopened';
      } else {
        const wiped = inspected.reason !== 'missing';
        if (wiped) wipeStateDir(path, taskId);
        // Reported before anything is open again, so a throwing callback leaks nothing.
        this.onReset({ taskId, path, reason: inspected.reason, detail: inspected.detail, wiped });
        opened = this.create(path, expected);
        origin = wiped ? 'wiped' : 'created';
      }
      const backend = new LmdbTaskStateBackend({ taskId, path, origin, ...opened, onClose: () => releaseOwner(path) });
      try {
        for (const store of stores) backend.store(store);
      } catch (error) {
        backend.close();
        throw error;
      }
      return backend;
    } catch (error) {
      releaseOwner(path);
      throw error;
    }
  }

  /**
   * Deletes a task's state, so that its next {@link open} starts empty and the runtime restores it
   * from the changelogs: for state found damaged after opening (a read failed with an LMDB error)
   * or no longer matching its changelogs (the checkpoint is outside the changelog's offsets because
   * the topic was truncated or recreated). Reported to `onReset` with reason `requested`.
   * @param taskId the task
   * @param detail why, for the report
   * @throws IllegalStateError while the task is open in this process
   * @throws StateStoreError while a read-only view of it is open in this process
   */
  wipe(taskId: string, detail: string): void {
    checkTaskId(taskId);
    const path = join(this.stateDir, taskId);
    if (hasOwner(path)) {
      throw new IllegalStateError(`cannot wipe the state of task ${taskId} while it is open in this process; close it first`, {
        context: { task: taskId, file: path },
      });
    }
    if (!existsSync(path)) return;
    wipeStateDir(path, taskId);
    this.onReset({ taskId, path, reason: 'requested', detail, wiped: true });
  }

  private create(path: string, expected: { taskId: string; fingerprint: string; stores: readonly string[] }): OpenedState {
    try {
      return createState(path, expected, this.settings);
    } catch (error) {
      throw new StateStoreError(`cannot create the state of task ${expected.taskId} at ${path}: ${(error as Error).message}`, {
        cause: error,
        context: { task: expected.taskId, file: path },
      });
    }
  }
}
