/**
 * The durable layer under a task's state stores.
 *
 * Every typed store (`KeyValueStore`, `WindowStore`, `SessionStore`) is implemented once, in
 * `@weir/core`, on top of an ordered byte store. What varies is where the bytes live: in memory
 * for the TestDriver, in LMDB (`@weir/state`) for the Kafka runtime. Keeping the semantics above
 * this seam means the TestDriver and the runtime cannot disagree about what a store returns.
 *
 * Keys compare bytewise (unsigned, lexicographic), as LMDB orders them.
 */
export interface BytesStore {
  /** The store's name (one per store in a topology). */
  readonly name: string;
  /** The value stored under `key`, or `undefined`. */
  get(key: Uint8Array): Uint8Array | undefined;
  /**
   * Entries with `from <= key < to`, in key order (or reverse order), iterated lazily: the store is
   * never loaded whole. A missing bound is open.
   */
  range(options?: { from?: Uint8Array; to?: Uint8Array; reverse?: boolean }): Iterable<readonly [Uint8Array, Uint8Array]>;
  /** A cheap estimate of the number of entries. */
  approximateNumEntries(): number;
}

/** One write to a byte store: a `null` value deletes the key. */
export interface StoreWrite {
  readonly store: string;
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
}

/** Deletion of every key `from <= key < to` of a store (used by retention to drop whole segments). */
export interface StoreRangeDelete {
  readonly store: string;
  readonly from: Uint8Array;
  readonly to: Uint8Array;
}

/**
 * Changelog positions a task's state reflects: for each store, the next changelog offset to read
 * (Kafka offsets as decimal strings, so that 64-bit offsets survive).
 */
export type StoreCheckpoint = Record<string, string>;

/** What one commit changes, applied atomically: all of it or none of it survives a crash. */
export interface StateCommit {
  readonly writes: readonly StoreWrite[];
  readonly rangeDeletes: readonly StoreRangeDelete[];
  /** Checkpoint entries to record with the data; stores not named keep their previous entry. */
  readonly checkpoint: StoreCheckpoint;
}

/**
 * The state of one task: one byte store per state store, and the checkpoint, changed together in
 * one atomic transaction (one LMDB environment per task in `@weir/state`).
 */
export interface TaskStateBackend {
  /** The byte store of a state store; created on first use. */
  store(name: string): BytesStore;
  /** Applies a commit atomically (range deletes first, then writes, then the checkpoint). */
  commit(commit: StateCommit): void;
  /** The checkpoint as last committed (empty for fresh state). */
  checkpoint(): StoreCheckpoint;
  /** Releases the backend; later calls throw. */
  close(): void;
}

/** Opens task backends: the runtime and the TestDriver get their state through this. */
export interface StateBackendFactory {
  /**
   * Opens (or creates) the state of a task.
   * @param taskId the task, e.g. `0_3` (sub-topology 0, partition 3)
   * @param stores the names of the task's stores
   * @param fingerprint identifies the topology version; state written by another version is not reused
   */
  open(taskId: string, stores: readonly string[], fingerprint: string): TaskStateBackend;
}
