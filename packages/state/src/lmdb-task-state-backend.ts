import {
  type BytesStore,
  IllegalStateError,
  type StateCommit,
  StateStoreError,
  type StoreCheckpoint,
  StoreKeys,
  type TaskStateBackend,
} from '@weir/core';
import { type BytesStoreSource, LmdbBytesStore } from './internal/lmdb-bytes-store.js';
import { openStoreDb, type StoreDb, type TaskEnv } from './internal/lmdb-env.js';
import { type MetaDb, writeCheckpointEntry } from './internal/meta.js';
import { MAX_KEY_BYTES, StoredKeyWriter, storedKey } from './internal/stored-keys.js';
import { checkOffset, checkStoreName } from './internal/validate.js';

/** How a task's state was found when it was opened. */
export type StateOrigin =
  /** Existing state of the same topology and format, reused: replay the changelogs from its checkpoint. */
  | 'reopened'
  /** No state existed: restore from the changelogs from the start. */
  | 'created'
  /** State existed but could not be trusted and was deleted: restore from the changelogs from the start. */
  | 'wiped';

/** One changelog record to restore: the value `null` is a tombstone (deletes the key). */
export interface ChangelogRecord {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
}

/** What {@link LmdbStateBackendFactory} hands to a task backend it opened. */
export interface LmdbTaskStateBackendInit {
  readonly taskId: string;
  readonly path: string;
  readonly env: TaskEnv;
  readonly meta: MetaDb;
  readonly checkpoint: StoreCheckpoint;
  readonly origin: StateOrigin;
  /** Called once by `close()`, after the environment is closed. */
  readonly onClose: () => void;
}

// Keys collected per step of a range delete: bounds memory on huge ranges, costs one cursor
// repositioning per step (the deleted keys are gone, so each step starts at the next live key).
const RANGE_DELETE_STEP = 10_000;

/**
 * The state of one task in its own LMDB environment (`<stateDir>/<taskId>/`): one sub-database per
 * store, and the checkpoint in the `__weir_meta` sub-database.
 *
 * Every change goes through {@link commit} (or {@link restore}): one synchronous LMDB write
 * transaction that holds the data and the changelog offsets it reflects, durable when the call
 * returns. A crash (even SIGKILL mid-commit) leaves the previous commit or this one, never a mix.
 *
 * Reads through {@link store} see the last commit. Created by {@link LmdbStateBackendFactory.open}.
 */
export class LmdbTaskStateBackend implements TaskStateBackend {
  /** The task whose state this is, e.g. `0_3`. */
  readonly taskId: string;
  /** The task's state directory. */
  readonly path: string;
  /** Whether the state was reused, created, or wiped and recreated when opened. */
  readonly origin: StateOrigin;

  private readonly env: TaskEnv;
  private readonly meta: MetaDb;
  private readonly onClose: () => void;
  private readonly dbs = new Map<string, StoreDb>();
  private readonly stores = new Map<string, LmdbBytesStore>();
  private readonly keys = new StoredKeyWriter();
  private readonly source: BytesStoreSource;
  private saved: StoreCheckpoint;
  private closed = false;

  constructor(init: LmdbTaskStateBackendInit) {
    this.taskId = init.taskId;
    this.path = init.path;
    this.origin = init.origin;
    this.env = init.env;
    this.meta = init.meta;
    this.onClose = init.onClose;
    this.saved = { ...init.checkpoint };
    this.source = {
      db: (store, method) => {
        this.checkOpen(`store('${store}').${method}`);
        return this.db(store);
      },
      // The owner reads lmdb-js's shared read snapshot, which it renews after each commit.
      transaction: undefined,
      task: this.taskId,
      isOpen: () => !this.closed,
    };
  }

  /**
   * The byte store of a state store, created on first use. Reads see the last commit.
   * @throws StateStoreError for an empty name or one starting with `__weir_`
   * @throws IllegalStateError after {@link close}
   */
  store(name: string): BytesStore {
    this.checkOpen('store');
    let store = this.stores.get(name);
    if (!store) {
      this.db(name);
      store = new LmdbBytesStore(name, this.source);
      this.stores.set(name, store);
    }
    return store;
  }

  /**
   * Applies a commit in one LMDB transaction: range deletes, then writes (in order, so a later write
   * of a key wins), then the checkpoint entries. Durable on return; on a throw nothing was applied.
   * @throws StateStoreError for a key over the LMDB key limit (1977 bytes), an invalid checkpoint
   *   offset, or an LMDB failure
   * @throws IllegalStateError after {@link close}
   */
  commit(commit: StateCommit): void {
    this.checkOpen('commit');
    const checkpoint = Object.entries(commit.checkpoint);
    if (commit.writes.length === 0 && commit.rangeDeletes.length === 0 && checkpoint.length === 0) return;
    for (const [store, offset] of checkpoint) checkOffset(offset, store, this.taskId);
    // Sub-databases are opened (and created) before the transaction: lmdb-js opens them in a
    // transaction of its own.
    for (const { store } of commit.rangeDeletes) this.db(store);
    for (const { store } of commit.writes) this.db(store);
    this.transact(() => {
      for (const { store, from, to } of commit.rangeDeletes) this.deleteRange(store, from, to);
      let db: StoreDb | undefined;
      let dbName: string | undefined;
      for (const { store, key, value } of commit.writes) {
        // Writes usually come grouped by store: look the sub-database up once per run of one store.
        if (store !== dbName) {
          db = this.db(store);
          dbName = store;
        }
        this.write(db!, store, key, value);
      }
      for (const [store, offset] of checkpoint) writeCheckpointEntry(this.meta, store, offset);
    });
    this.saved = { ...this.saved, ...commit.checkpoint };
  }

  /**
   * Restores a batch of changelog records of one store, with its checkpoint, in one LMDB
   * transaction: the same as a {@link commit} of these writes and `{ [store]: nextOffset }`,
   * without building a write object per record.
   * @param store the store the changelog belongs to
   * @param records the records in changelog order (a later record of a key wins; `null` deletes)
   * @param nextOffset the changelog offset after the last record of the batch
   * @throws StateStoreError as {@link commit}
   */
  restore(store: string, records: Iterable<ChangelogRecord>, nextOffset: string): void {
    this.checkOpen('restore');
    checkOffset(nextOffset, store, this.taskId);
    const db = this.db(store);
    this.transact(() => {
      for (const { key, value } of records) this.write(db, store, key, value);
      writeCheckpointEntry(this.meta, store, nextOffset);
    });
    this.saved = { ...this.saved, [store]: nextOffset };
  }

  /** The checkpoint as last committed: for each store, the next changelog offset to read. */
  checkpoint(): StoreCheckpoint {
    this.checkOpen('checkpoint');
    return { ...this.saved };
  }

  /** Closes the environment (committed state stays on disk). Calling it again does nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Without overlapping sync or pending async writes, lmdb-js closes synchronously; the promise
    // only covers cases this backend never creates.
    void this.env.close();
    this.onClose();
  }

  private transact(apply: () => void): void {
    try {
      // The callback must return nothing: lmdb-js takes a returned promise-like (which `put`
      // returns) for an async callback and leaves the transaction, and its lock, open.
      this.env.transactionSync(() => {
        apply();
      });
    } catch (error) {
      if (error instanceof StateStoreError) throw error;
      throw new StateStoreError(`LMDB commit of task ${this.taskId} failed: ${(error as Error).message}`, {
        cause: error,
        context: { task: this.taskId, file: this.path },
      });
    }
  }

  private write(db: StoreDb, store: string, key: Uint8Array, value: Uint8Array | null): void {
    const stored = this.keys.encode(key);
    if (stored === undefined) {
      throw new StateStoreError(
        `key of ${key.byteLength} bytes in store ${store} of task ${this.taskId} exceeds the ${MAX_KEY_BYTES}-byte key limit of LMDB`,
        { context: { task: this.taskId, store } },
      );
    }
    // Inside a synchronous transaction lmdb-js writes at once, copying key and value: the reused
    // key buffer is free again when the call returns.
    if (value === null) db.remove(stored);
    else db.put(stored, value);
  }

  private deleteRange(store: string, from: Uint8Array, to: Uint8Array): void {
    if (StoreKeys.compareBytes(from, to) >= 0) return;
    const db = this.db(store);
    const range = { start: storedKey(from), end: storedKey(to), limit: RANGE_DELETE_STEP };
    // Reads inside the write transaction see its own deletes; the cursor starts at `from` and
    // stops before `to`, so nothing outside the range is visited.
    for (;;) {
      const step = [...db.getKeys(range)];
      for (const key of step) db.remove(key);
      if (step.length < RANGE_DELETE_STEP) return;
    }
  }

  private db(store: string): StoreDb {
    let db = this.dbs.get(store);
    if (!db) {
      checkStoreName(store, this.taskId);
      try {
        db = openStoreDb(this.env, store)!;
      } catch (error) {
        throw new StateStoreError(`cannot open store ${store} of task ${this.taskId}: ${(error as Error).message}`, {
          cause: error,
          context: { task: this.taskId, store, file: this.path },
        });
      }
      this.dbs.set(store, db);
    }
    return db;
  }

  private checkOpen(method: string): void {
    if (this.closed) {
      throw new IllegalStateError(`LmdbTaskStateBackend.${method}() called after close() (task ${this.taskId})`, {
        context: { task: this.taskId },
      });
    }
  }
}
