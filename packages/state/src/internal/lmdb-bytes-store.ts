import { type BytesStore, IllegalStateError, StateStoreError, StoreKeys } from '@weir/core';
import type { RangeOptions, Transaction } from 'lmdb';
import type { StoreDb } from './lmdb-env.js';
import { KEY_SPACE_END, KEY_SPACE_START, MAX_KEY_BYTES, StoredKeyWriter, storedKey, userKey } from './stored-keys.js';

/** Where a {@link LmdbBytesStore} gets its sub-database and read snapshot from. */
export interface BytesStoreSource {
  /**
   * The store's sub-database, or `undefined` while it does not exist (a read-only view of a store
   * the owner has not created yet reads as empty).
   * @throws IllegalStateError when the owner of the store was closed
   */
  db(store: string, method: string): StoreDb | undefined;
  /** The read transaction every read uses, when reads are pinned to one snapshot. */
  readonly transaction: Transaction | undefined;
  /** The task, for error messages. */
  readonly task: string;
  /**
   * Whether the LMDB environment the reads go through is still open. A cursor of a closed
   * environment must never be touched again: closing it then crashes the process (SIGSEGV).
   */
  isOpen(): boolean;
}

/**
 * A {@link BytesStore} over one LMDB sub-database. Reads only: writes go through the task's commit,
 * so that they land in the one transaction that also records the checkpoint.
 */
export class LmdbBytesStore implements BytesStore {
  private readonly keys = new StoredKeyWriter();

  constructor(
    readonly name: string,
    private readonly source: BytesStoreSource,
  ) {}

  get(key: Uint8Array): Uint8Array | undefined {
    const db = this.source.db(this.name, 'get');
    const stored = this.keys.encode(key);
    // No key longer than LMDB's limit can have been written, so it is simply absent.
    if (db === undefined || stored === undefined) return undefined;
    const transaction = this.source.transaction;
    try {
      // lmdb-js returns a fresh copy for 'binary' values (never its reused read buffer).
      return transaction === undefined ? db.get(stored) : db.get(stored, { transaction });
    } catch (error) {
      throw readFailed(error, this.name, this.source.task);
    }
  }

  range(
    options: { from?: Uint8Array; to?: Uint8Array; reverse?: boolean } = {},
  ): Iterable<readonly [Uint8Array, Uint8Array]> {
    const db = this.source.db(this.name, 'range');
    if (db === undefined) return [];
    const from = options.from === undefined ? KEY_SPACE_START : this.bound(options.from, 'from');
    const to = options.to === undefined ? KEY_SPACE_END : this.bound(options.to, 'to');
    if (StoreKeys.compareBytes(from, to) >= 0) return [];
    const transaction = this.source.transaction;
    // lmdb's bounds are [start, end) in iteration order, so a reverse scan of [from, to) starts at
    // `to` (excluded) and ends at `from` (included).
    const rangeOptions: RangeOptions = options.reverse
      ? { start: to, end: from, reverse: true, exclusiveStart: true, inclusiveEnd: true }
      : { start: from, end: to };
    if (transaction !== undefined) rangeOptions.transaction = transaction;
    return entries(db, rangeOptions, this.name, this.source);
  }

  approximateNumEntries(): number {
    const db = this.source.db(this.name, 'approximateNumEntries');
    if (db === undefined) return 0;
    try {
      // mdb_stat: O(1), from the B-tree header (about 20 µs with lmdb-js's extra environment stats).
      return (db.getStats() as { entryCount?: number }).entryCount ?? 0;
    } catch (error) {
      throw readFailed(error, this.name, this.source.task);
    }
  }

  private bound(key: Uint8Array, which: 'from' | 'to'): Uint8Array {
    if (key.byteLength > MAX_KEY_BYTES) {
      throw new StateStoreError(
        `range bound '${which}' of store ${this.name} is ${key.byteLength} bytes, more than the ${MAX_KEY_BYTES}-byte key limit of LMDB`,
        { context: { store: this.name } },
      );
    }
    // A fresh buffer: lmdb reads range bounds lazily, when iteration starts.
    return storedKey(key);
  }
}

/**
 * Entries of an lmdb range as `[key, value]` pairs, read lazily; each iteration opens its own cursor
 * on one read snapshot.
 */
function entries(db: StoreDb, options: RangeOptions, store: string, source: BytesStoreSource): Iterable<readonly [Uint8Array, Uint8Array]> {
  return { [Symbol.iterator]: () => new RangeIterator(db.getRange(options)[Symbol.iterator](), store, source) };
}

/**
 * An LMDB failure while reading (MDB_PAGE_NOTFOUND, MDB_CORRUPTED, ...): the state is damaged, and
 * the runtime should wipe it (`LmdbStateBackendFactory.wipe`) and restore from the changelogs.
 */
function readFailed(error: unknown, store: string, task: string): StateStoreError {
  return new StateStoreError(`LMDB read of store ${store} of task ${task} failed: ${(error as Error).message}`, {
    cause: error,
    context: { task, store },
  });
}

type LmdbEntry = { key: Uint8Array; value: Uint8Array };

/**
 * An open lmdb cursor pins its read snapshot, and LMDB cannot reuse any page freed after that
 * snapshot: an iterator abandoned without `return()` would make the file grow for as long as the
 * process lives, and lmdb-js never releases it. A `break` in a for-of calls `return()`; for
 * iterators dropped mid-way this registry closes the cursor once the iterator is garbage.
 *
 * Only while the environment is open. Once it is closed, a cursor on a snapshot that lmdb-js had
 * already replaced (a commit came after the cursor opened) is still "open" to lmdb-js, and closing
 * it frees through the closed environment: a segmentation fault, not an exception. Such a cursor
 * is left alone; the environment's close released what it pinned.
 */
const abandoned = new FinalizationRegistry<{ cursor: Iterator<LmdbEntry>; source: BytesStoreSource }>(({ cursor, source }) => {
  if (!source.isOpen()) return;
  try {
    cursor.return?.();
  } catch {
    // Nothing to release any more.
  }
});

class RangeIterator implements IterableIterator<readonly [Uint8Array, Uint8Array]> {
  private done = false;

  constructor(
    private readonly cursor: Iterator<LmdbEntry>,
    private readonly store: string,
    private readonly source: BytesStoreSource,
  ) {
    abandoned.register(this, { cursor, source }, this);
  }

  next(): IteratorResult<readonly [Uint8Array, Uint8Array]> {
    if (this.done) return { done: true, value: undefined };
    if (!this.source.isOpen()) {
      this.finish();
      throw new IllegalStateError(`range of store ${this.store} of task ${this.source.task} read after its state was closed`, {
        context: { task: this.source.task, store: this.store },
      });
    }
    let step: IteratorResult<LmdbEntry>;
    try {
      step = this.cursor.next();
    } catch (error) {
      this.finish();
      throw readFailed(error, this.store, this.source.task);
    }
    if (step.done) {
      this.finish();
      return { done: true, value: undefined };
    }
    // lmdb-js slices every key and copies every 'binary' value it hands out, so an entry stays
    // valid after the iterator moves on (the tests check it); a view that drops the prefix is enough.
    return { done: false, value: [userKey(step.value.key), step.value.value] };
  }

  return(): IteratorResult<readonly [Uint8Array, Uint8Array]> {
    if (!this.done) {
      this.finish();
      if (this.source.isOpen()) this.cursor.return?.();
    }
    return { done: true, value: undefined };
  }

  [Symbol.iterator](): this {
    return this;
  }

  private finish(): void {
    this.done = true;
    abandoned.unregister(this);
  }
}
