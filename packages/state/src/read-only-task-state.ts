import { join } from 'node:path';
import { type BytesStore, IllegalStateError, StateStoreError, type StoreCheckpoint } from '@weir/core';
import type { Transaction } from 'lmdb';
import { type BytesStoreSource, LmdbBytesStore } from './internal/lmdb-bytes-store.js';
import { hasDataFile, openMetaDb, openStoreDb, openTaskEnv, type StoreDb, type TaskEnv } from './internal/lmdb-env.js';
import { META_DB_NAME, type MetaDb, readCheckpoint, readIdentity, STATE_FORMAT_VERSION } from './internal/meta.js';
import { addReader, removeReader } from './internal/open-handles.js';
import { checkTaskId } from './internal/validate.js';

const textDecoder = new TextDecoder();

/** Options of {@link openReadOnlyTaskState}. */
export interface ReadOnlyTaskStateOptions {
  /** When given, state written by another topology fingerprint is refused. // default: any fingerprint */
  fingerprint?: string;
  /** As `LmdbStateBackendOptions.maxStores`; use the owner's value. // default: 64 */
  maxStores?: number;
}

/**
 * Opens a read-only view of a task's committed state, for interactive queries. It reads through
 * LMDB read transactions (MVCC), so it is safe while the task's owner commits, in this process or
 * another: a read never sees part of a commit, and never blocks the owner.
 *
 * Never wipes anything: state that is missing, of another format, task or fingerprint is refused.
 *
 * @example
 * const view = openReadOnlyTaskState('/var/lib/weir/my-app', '0_3');
 * for (const [key, value] of view.store('counts').range()) console.log(key, value);
 * view.close();
 * @throws StateStoreError when the task has no readable Weir state under `stateDir`
 */
export function openReadOnlyTaskState(
  stateDir: string,
  taskId: string,
  { fingerprint, maxStores = 64 }: ReadOnlyTaskStateOptions = {},
): ReadOnlyTaskState {
  checkTaskId(taskId);
  const path = join(stateDir, taskId);
  const refuse = (why: string, cause?: unknown): StateStoreError =>
    new StateStoreError(`no readable state for task ${taskId} at ${path}: ${why}`, {
      ...(cause === undefined ? {} : { cause }),
      context: { task: taskId, file: path },
    });
  // Checked first because opening an environment creates its files.
  if (!hasDataFile(path)) throw refuse('no data.mdb');
  let env: TaskEnv;
  try {
    // Opened read-write, though it never writes: lmdb-js shares one native environment per file
    // within a process, and a read-only first open would make the owner's later open read-only too.
    env = openTaskEnv(path, { mapSize: undefined, maxDbs: maxStores + 1 });
  } catch (error) {
    throw refuse(`LMDB cannot open it: ${(error as Error).message}`, error);
  }
  try {
    const meta = openMetaDb(env, false);
    if (meta === undefined) throw refuse('no __weir_meta sub-database');
    const identity = readIdentity(meta);
    if (identity.format !== STATE_FORMAT_VERSION) {
      throw refuse(`format '${identity.format}', this version reads format '${STATE_FORMAT_VERSION}'`);
    }
    if (identity.task !== taskId) throw refuse(`written for task '${identity.task}'`);
    if (fingerprint !== undefined && identity.fingerprint !== fingerprint) {
      throw refuse(`topology fingerprint '${identity.fingerprint}', expected '${fingerprint}'`);
    }
    addReader(path);
    return new ReadOnlyTaskState(taskId, path, env, meta);
  } catch (error) {
    void env.close();
    if (error instanceof StateStoreError) throw error;
    throw refuse(`LMDB cannot read it: ${(error as Error).message}`, error);
  }
}

/**
 * A read-only view of a task's committed state; see {@link openReadOnlyTaskState}.
 *
 * Each read sees the latest commit when it starts, and a range iterates one snapshot from start to
 * end. {@link snapshot} pins one commit for several reads (several stores and the checkpoint).
 */
export class ReadOnlyTaskState {
  private readonly dbs = new Map<string, StoreDb>();
  private readonly stores = new Map<string, LmdbBytesStore>();
  private readonly latest: BytesStoreSource;
  private closed = false;

  /** Use {@link openReadOnlyTaskState}. */
  constructor(
    /** The task, e.g. `0_3`. */
    readonly taskId: string,
    /** The task's state directory. */
    readonly path: string,
    private readonly env: TaskEnv,
    private readonly meta: MetaDb,
  ) {
    this.latest = {
      db: (store, method) => {
        this.checkOpen(`store('${store}').${method}`);
        // lmdb-js renews its shared read snapshot only after its own commits and on a later event
        // loop turn; the owner commits through another handle (or process), so renew it here.
        this.env.resetReadTxn();
        return this.db(store);
      },
      transaction: undefined,
      task: taskId,
      isOpen: () => !this.closed,
    };
  }

  /**
   * The byte store of a state store, reading the latest commit at each call. A store the owner has
   * not created (yet) reads as empty.
   * @throws IllegalStateError after {@link close}
   */
  store(name: string): BytesStore {
    this.checkOpen('store');
    let store = this.stores.get(name);
    if (!store) {
      store = new LmdbBytesStore(name, this.latest);
      this.stores.set(name, store);
    }
    return store;
  }

  /** The checkpoint of the latest commit. */
  checkpoint(): StoreCheckpoint {
    this.checkOpen('checkpoint');
    this.env.resetReadTxn();
    return readCheckpoint(this.meta);
  }

  /**
   * Pins the latest commit: every read through the snapshot sees it, whatever the owner commits
   * meanwhile. Release it soon: LMDB cannot reuse pages freed after a snapshot while it is held.
   * @throws IllegalStateError after {@link close}
   */
  snapshot(): TaskStateSnapshot {
    this.checkOpen('snapshot');
    // LMDB refuses a sub-database opened after a read transaction began (EINVAL), so every store
    // that exists in the snapshot is opened before it is taken; a store created in between shows
    // up in the snapshot's own listing, and then the snapshot is taken again.
    for (;;) {
      this.env.resetReadTxn();
      for (const name of this.storeNames()) this.db(name);
      const known = new Set(this.dbs.keys());
      const transaction = this.env.useReadTransaction();
      if (this.storeNames(transaction).every((name) => known.has(name))) {
        return new TaskStateSnapshot(
          this.taskId,
          transaction,
          this.meta,
          (store, method) => {
            this.checkOpen(`snapshot.store('${store}').${method}`);
            // A store missing from the snapshot did not exist when it was taken: empty.
            return known.has(store) ? this.dbs.get(store) : undefined;
          },
          () => !this.closed,
        );
      }
      transaction.done();
    }
  }

  /** Closes the view. Calling it again does nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.env.close();
    removeReader(this.path);
  }

  /** Names of the store sub-databases: the keys of LMDB's main database. */
  private storeNames(transaction?: Transaction): string[] {
    const names: string[] = [];
    const range = this.env.getKeys({ start: Uint8Array.of(0), ...(transaction === undefined ? {} : { transaction }) });
    for (const key of range) {
      // lmdb-js stores sub-database names NUL-terminated.
      const name = textDecoder.decode(key.at(-1) === 0 ? key.subarray(0, -1) : key);
      if (name !== META_DB_NAME) names.push(name);
    }
    return names;
  }

  private db(store: string): StoreDb | undefined {
    let db = this.dbs.get(store);
    if (!db) {
      // Not cached while missing: the owner creates stores on first use.
      db = openStoreDb(this.env, store, false);
      if (db) this.dbs.set(store, db);
    }
    return db;
  }

  private checkOpen(method: string): void {
    if (this.closed) {
      throw new IllegalStateError(`ReadOnlyTaskState.${method}() called after close() (task ${this.taskId})`, {
        context: { task: this.taskId },
      });
    }
  }
}

/**
 * One commit of a task's state, pinned by an LMDB read transaction; see
 * {@link ReadOnlyTaskState.snapshot}.
 */
export class TaskStateSnapshot {
  private readonly stores = new Map<string, LmdbBytesStore>();
  private readonly source: BytesStoreSource;
  private released = false;

  /** Use {@link ReadOnlyTaskState.snapshot}. */
  constructor(
    /** The task, e.g. `0_3`. */
    readonly taskId: string,
    private readonly transaction: Transaction,
    private readonly meta: MetaDb,
    db: (store: string, method: string) => StoreDb | undefined,
    /** Whether the view's environment is still open. */
    isOpen: () => boolean,
  ) {
    this.source = {
      db: (store, method) => {
        this.checkLive(`store('${store}').${method}`);
        return db(store, method);
      },
      transaction,
      task: taskId,
      isOpen,
    };
  }

  /** The byte store of a state store as of this snapshot. */
  store(name: string): BytesStore {
    this.checkLive('store');
    let store = this.stores.get(name);
    if (!store) {
      store = new LmdbBytesStore(name, this.source);
      this.stores.set(name, store);
    }
    return store;
  }

  /** The checkpoint as of this snapshot: the changelog offsets its data reflects. */
  checkpoint(): StoreCheckpoint {
    this.checkLive('checkpoint');
    return readCheckpoint(this.meta, this.transaction);
  }

  /** Releases the read transaction. Calling it again does nothing. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.transaction.done();
  }

  private checkLive(method: string): void {
    if (this.released) throw new IllegalStateError(`TaskStateSnapshot.${method}() called after release()`);
  }
}
