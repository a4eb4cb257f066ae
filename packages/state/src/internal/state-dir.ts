import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { StateStoreError, type StoreCheckpoint } from '@weir/core';
import type { StateResetReason } from '../state-reset-event.js';
import { type EnvSettings, hasDataFile, openMetaDb, openStoreDb, openTaskEnv, type TaskEnv } from './lmdb-env.js';
import { type MetaDb, readCheckpoint, readIdentity, STATE_FORMAT_VERSION, writeIdentity } from './meta.js';
import { readerCount } from './open-handles.js';
import { KEY_SPACE_END, KEY_SPACE_START } from './stored-keys.js';

/** An open, verified task environment. */
export interface OpenedState {
  readonly env: TaskEnv;
  readonly meta: MetaDb;
  readonly checkpoint: StoreCheckpoint;
}

/** Why a directory cannot be reused. */
export interface Unusable {
  readonly reason: StateResetReason;
  readonly detail: string;
}

/** What a task expects to find in its directory. */
export interface ExpectedState {
  readonly taskId: string;
  readonly fingerprint: string;
  readonly stores: readonly string[];
}

/**
 * Opens the state in `dir` if it can be trusted: LMDB opens it, its identity entries name this
 * format, task and topology fingerprint, and the meta data and the first and last key of each
 * expected store can be read. Otherwise says why, with the environment closed again.
 */
export function inspectStateDir(dir: string, expected: ExpectedState, settings: EnvSettings): OpenedState | Unusable {
  if (!existsSync(dir)) return { reason: 'missing', detail: 'no state directory' };
  if (!hasDataFile(dir)) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch (error) {
      return { reason: 'corrupt', detail: `cannot list the directory: ${(error as Error).message}` };
    }
    if (entries.length === 0) return { reason: 'missing', detail: 'empty state directory' };
    return { reason: 'incomplete', detail: `no data.mdb (found ${entries.join(', ')})` };
  }
  let env: TaskEnv;
  try {
    env = openTaskEnv(dir, settings);
  } catch (error) {
    return { reason: 'corrupt', detail: `LMDB cannot open it: ${(error as Error).message}` };
  }
  let verdict: OpenedState | Unusable;
  try {
    verdict = verify(env, expected);
  } catch (error) {
    verdict = { reason: 'corrupt', detail: `LMDB cannot read it: ${(error as Error).message}` };
  }
  if ('reason' in verdict) closeQuietly(env);
  return verdict;
}

function verify(env: TaskEnv, expected: ExpectedState): OpenedState | Unusable {
  const meta = openMetaDb(env, false);
  if (meta === undefined) return { reason: 'incomplete', detail: 'no __weir_meta sub-database' };
  const identity = readIdentity(meta);
  if (identity.format === undefined) return { reason: 'incomplete', detail: 'no format entry in __weir_meta' };
  if (identity.format !== STATE_FORMAT_VERSION) {
    return {
      reason: 'format-mismatch',
      detail: `format '${identity.format}', this version reads format '${STATE_FORMAT_VERSION}'`,
    };
  }
  if (identity.task !== expected.taskId) {
    return { reason: 'task-mismatch', detail: `written for task '${identity.task}', opened as task '${expected.taskId}'` };
  }
  if (identity.fingerprint !== expected.fingerprint) {
    return {
      reason: 'fingerprint-mismatch',
      detail: `topology fingerprint '${identity.fingerprint}', expected '${expected.fingerprint}'`,
    };
  }
  const checkpoint = readCheckpoint(meta);
  // Touch the root-to-leaf paths at both ends of every store: cheap, and catches a damaged tree
  // here, where the state can still be wiped, rather than in the middle of processing.
  for (const store of expected.stores) {
    const db = openStoreDb(env, store, false);
    if (db === undefined) continue;
    db.getStats();
    for (const reverse of [false, true]) {
      const ends = reverse ? { start: KEY_SPACE_END, end: KEY_SPACE_START } : { start: KEY_SPACE_START, end: KEY_SPACE_END };
      for (const { value } of db.getRange({ ...ends, reverse, limit: 1 })) void value.byteLength;
    }
  }
  return { env, meta, checkpoint };
}

/** Creates empty state in `dir` (which must not hold any): the identity entries in one transaction. */
export function createState(dir: string, expected: ExpectedState, settings: EnvSettings): OpenedState {
  mkdirSync(dir, { recursive: true });
  const env = openTaskEnv(dir, settings);
  try {
    const meta = openMetaDb(env)!;
    env.transactionSync(() => {
      writeIdentity(meta, expected.taskId, expected.fingerprint);
    });
    return { env, meta, checkpoint: {} };
  } catch (error) {
    closeQuietly(env);
    throw error;
  }
}

/**
 * Deletes a task's state directory.
 * @throws StateStoreError while a read-only view of it is open in this process
 */
export function wipeStateDir(dir: string, taskId: string): void {
  const readers = readerCount(dir);
  if (readers > 0) {
    throw new StateStoreError(
      `cannot wipe the state of task ${taskId} at ${dir}: ${readers} read-only view(s) of it are open in this process`,
      { context: { task: taskId, file: dir } },
    );
  }
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch (error) {
    throw new StateStoreError(`cannot wipe the state of task ${taskId} at ${dir}: ${(error as Error).message}`, {
      cause: error,
      context: { task: taskId, file: dir },
    });
  }
}

function closeQuietly(env: TaskEnv): void {
  try {
    void env.close();
  } catch {
    // Already unusable; the directory is about to be deleted.
  }
}
