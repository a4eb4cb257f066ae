import { IllegalStateError } from '../../errors.js';
import type { BytesStore, StoreRangeDelete, StoreWrite } from '../backend.js';
import { fromByteString, toByteString } from './byte-strings.js';
import { SortedStringMap } from './sorted-string-map.js';

interface BufferedEntry {
  value: Uint8Array | null;
  /** Written since the last flush: not yet forwarded nor sent to the changelog. */
  dirty: boolean;
  /** Event time of the write, used for the changelog record and the forwarded record. */
  timestamp: number;
  /** The value as of the last flush (`undefined`: never flushed in this commit, read the backend). */
  flushed?: Uint8Array | null;
}

/** A store change to send to the store's changelog topic in the commit's transaction. */
export interface ChangelogEntry {
  readonly store: string;
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
  readonly timestamp: number;
}

/** Receives flushed cache entries: what an aggregation forwards downstream with caching on. */
export type FlushListener = (key: Uint8Array, newValue: Uint8Array | null, oldValue: Uint8Array | null, timestamp: number) => void;

/** Tuning of a store's buffer. */
export interface StoreBufferOptions {
  /** Deduplicate updates per commit and forward them on flush (Kafka Streams' record cache). */
  caching: boolean;
  /** Flush early once dirty entries hold more than this many bytes. */
  maxCacheBytes: number;
  /** Where changelog entries go; `undefined` when the store has no changelog. */
  changelog?: (entry: ChangelogEntry) => void;
}

/**
 * The uncommitted layer of one store, between the typed store and its byte store.
 *
 * Nothing reaches the durable byte store before the task's Kafka transaction commits (the design's
 * "LMDB after the transaction"), so every write of a commit interval lives here: reads see it,
 * range scans merge it with the byte store in key order. It is also the record cache: a key
 * updated many times between flushes yields one changelog record and, with caching on, one
 * forwarded update. `flush` happens at commit and when the cache outgrows its budget.
 */
export class StoreBuffer {
  private readonly overlay = new SortedStringMap<BufferedEntry>();
  private readonly pendingRangeDeletes: Array<readonly [string, string]> = [];
  private dirtyBytes = 0;
  /** Dirty keys in order of their last update: the order a flush forwards them, as Kafka Streams' cache does. */
  private readonly dirtyOrder = new Set<string>();
  private prepared = false;
  /** Set by the aggregation that owns a cached store, to forward flushed updates. */
  flushListener: FlushListener | undefined;

  constructor(
    readonly name: string,
    private readonly bytes: BytesStore,
    private readonly options: StoreBufferOptions,
  ) {}

  /** The value of `key`: bytes, `null` if deleted in this commit, `undefined` if absent. */
  get(key: string): Uint8Array | null | undefined {
    const entry = this.overlay.get(key);
    if (entry) return entry.value;
    if (this.isRangeDeleted(key)) return undefined;
    return this.bytes.get(fromByteString(key));
  }

  /** Writes `value` (`null` deletes) at event time `timestamp`. */
  put(key: string, value: Uint8Array | null, timestamp: number): void {
    if (this.prepared) throw new IllegalStateError(`store ${this.name} written between prepareCommit and completeCommit`);
    const entry = this.overlay.get(key);
    this.dirtyOrder.delete(key);
    this.dirtyOrder.add(key);
    if (entry) {
      if (!entry.dirty) {
        entry.flushed = entry.value;
        entry.dirty = true;
      }
      this.dirtyBytes += (value?.byteLength ?? 0) - (entry.value?.byteLength ?? 0);
      entry.value = value;
      entry.timestamp = timestamp;
    } else {
      this.overlay.set(key, { value, dirty: true, timestamp });
      this.dirtyBytes += key.length + (value?.byteLength ?? 0) + 48;
    }
    if (this.options.caching && this.dirtyBytes > this.options.maxCacheBytes) this.flush();
  }

  /**
   * Deletes every key in `[from, to)`: retention dropping expired segments.
   *
   * With caching, updates in the range not forwarded yet are flushed first, as a cache eviction
   * would: a window can expire from the store within one commit interval of its last update (a
   * commit interval of a backlog covers much event time), and its final value must still reach
   * the suppression or the output downstream, as Kafka Streams' caching layer forwards it.
   */
  deleteRange(from: string, to: string): void {
    if (this.options.caching && this.flushListener) {
      for (const key of this.dirtyOrder) {
        if (key >= from && key < to) {
          this.flush();
          break;
        }
      }
    }
    for (const key of this.dirtyOrder) if (key >= from && key < to) this.dirtyOrder.delete(key);
    this.overlay.deleteRange(from, to);
    this.pendingRangeDeletes.push([from, to]);
  }

  /** Entries with `from <= key < to` merged from this commit's writes and the byte store, in key order. */
  *range(from?: string, to?: string, reverse = false): IterableIterator<[string, Uint8Array]> {
    const buffered = this.overlay.range(from, to, reverse);
    const stored = this.bytes.range({
      ...(from === undefined ? {} : { from: fromByteString(from) }),
      ...(to === undefined ? {} : { to: fromByteString(to) }),
      reverse,
    })[Symbol.iterator]();
    // Close the byte-store cursor even when the caller stops early: an open LMDB cursor pins a snapshot.
    try {
      let b = buffered.next();
      let s = nextStored(stored);
      const before = reverse ? (x: string, y: string) => x > y : (x: string, y: string) => x < y;
      while (!b.done || s !== undefined) {
        if (s !== undefined && this.isRangeDeleted(s[0])) {
          s = nextStored(stored);
          continue;
        }
        if (b.done || (s !== undefined && before(s[0], b.value[0]))) {
          yield s!;
          s = nextStored(stored);
          continue;
        }
        const [key, entry] = b.value;
        if (s !== undefined && s[0] === key) s = nextStored(stored);
        if (entry.value !== null) yield [key, entry.value];
        b = buffered.next();
      }
    } finally {
      stored.return?.();
    }
  }

  /** Number of entries, roughly (byte store plus new keys of this commit). */
  approximateNumEntries(): number {
    return this.bytes.approximateNumEntries() + this.overlay.size;
  }

  /** Whether this store caches (deduplicates and forwards on flush). */
  get cachingEnabled(): boolean {
    return this.options.caching;
  }

  /** Whether any write of this commit has not been flushed yet. */
  get hasDirty(): boolean {
    return this.dirtyOrder.size > 0;
  }

  /**
   * Flushes dirty entries in the order of their last update: each becomes one changelog entry
   * and, with a flush listener, one forwarded update carrying the value as of the previous flush
   * as its old value. (The durable write at commit is sorted by key regardless.)
   */
  flush(): void {
    if (this.dirtyOrder.size === 0) return;
    const flushed: Array<[string, BufferedEntry, Uint8Array | null]> = [];
    for (const key of this.dirtyOrder) {
      const entry = this.overlay.get(key);
      if (!entry?.dirty) continue;
      const old = entry.flushed !== undefined ? entry.flushed : (this.storedValue(key) ?? null);
      entry.dirty = false;
      entry.flushed = entry.value;
      flushed.push([key, entry, old]);
    }
    this.dirtyOrder.clear();
    this.dirtyBytes = 0;
    // Forward after marking clean: a listener may write to this store again (re-dirtying keys).
    for (const [key, entry, old] of flushed) {
      // Spec (Kafka Streams' caching stores): deleting an absent key is neither logged nor forwarded.
      if (entry.value === null && old === null) continue;
      const keyBytes = fromByteString(key);
      this.options.changelog?.({ store: this.name, key: keyBytes, value: entry.value, timestamp: entry.timestamp });
      if (this.flushListener && this.options.caching) this.flushListener(keyBytes, entry.value, old, entry.timestamp);
    }
  }

  /** The durable writes of this commit (call after `flush`); the buffer keeps serving reads until `completeCommit`. */
  prepareCommit(): { writes: StoreWrite[]; rangeDeletes: StoreRangeDelete[] } {
    if (this.dirtyOrder.size > 0) throw new IllegalStateError(`store ${this.name} has unflushed writes at prepareCommit`);
    this.prepared = true;
    const writes: StoreWrite[] = [];
    for (const [key, entry] of this.overlay.range()) writes.push({ store: this.name, key: fromByteString(key), value: entry.value });
    const rangeDeletes = this.pendingRangeDeletes.map(([from, to]) => ({
      store: this.name,
      from: fromByteString(from),
      to: fromByteString(to),
    }));
    return { writes, rangeDeletes };
  }

  /** The commit reached the byte store: forget what it holds. */
  completeCommit(): void {
    this.overlay.clear();
    this.pendingRangeDeletes.length = 0;
    this.prepared = false;
  }

  private storedValue(key: string): Uint8Array | undefined {
    if (this.isRangeDeleted(key)) return undefined;
    return this.bytes.get(fromByteString(key));
  }

  private isRangeDeleted(key: string): boolean {
    for (const [from, to] of this.pendingRangeDeletes) if (key >= from && key < to) return true;
    return false;
  }
}

function nextStored(iterator: Iterator<readonly [Uint8Array, Uint8Array]>): [string, Uint8Array] | undefined {
  const next = iterator.next();
  return next.done ? undefined : [toByteString(next.value[0]), next.value[1]];
}
