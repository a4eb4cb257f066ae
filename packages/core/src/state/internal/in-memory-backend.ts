import { IllegalStateError } from '../../errors.js';
import type {
  BytesStore,
  StateBackendFactory,
  StateCommit,
  StoreCheckpoint,
  TaskStateBackend,
} from '../backend.js';
import { fromByteString, toByteString } from './byte-strings.js';
import { SortedStringMap } from './sorted-string-map.js';

class InMemoryBytesStore implements BytesStore {
  readonly entries = new SortedStringMap<Uint8Array>();
  constructor(readonly name: string) {}

  get(key: Uint8Array): Uint8Array | undefined {
    return this.entries.get(toByteString(key));
  }

  *range(options: { from?: Uint8Array; to?: Uint8Array; reverse?: boolean } = {}): Iterable<
    readonly [Uint8Array, Uint8Array]
  > {
    const from = options.from === undefined ? undefined : toByteString(options.from);
    const to = options.to === undefined ? undefined : toByteString(options.to);
    // Lazy, like LMDB cursors: a task never commits while it iterates (commits happen between records).
    for (const [key, value] of this.entries.range(from, to, options.reverse)) yield [fromByteString(key), value];
  }

  approximateNumEntries(): number {
    return this.entries.size;
  }
}

/** The data of one task's in-memory state, kept by the factory so that a reopened task finds it. */
interface InMemoryTaskData {
  readonly stores: Map<string, InMemoryBytesStore>;
  saved: StoreCheckpoint;
}

/** Task state held in memory: what the TestDriver uses unless told to use LMDB. */
export class InMemoryTaskBackend implements TaskStateBackend {
  private closed = false;

  constructor(private readonly data: InMemoryTaskData = { stores: new Map(), saved: {} }) {}

  store(name: string): BytesStore {
    this.checkOpen('store');
    return this.bytesStore(name);
  }

  commit(commit: StateCommit): void {
    this.checkOpen('commit');
    for (const { store, from, to } of commit.rangeDeletes) {
      this.bytesStore(store).entries.deleteRange(toByteString(from), toByteString(to));
    }
    for (const { store, key, value } of commit.writes) {
      const entries = this.bytesStore(store).entries;
      if (value === null) entries.delete(toByteString(key));
      else entries.set(toByteString(key), value);
    }
    this.data.saved = { ...this.data.saved, ...commit.checkpoint };
  }

  checkpoint(): StoreCheckpoint {
    return { ...this.data.saved };
  }

  close(): void {
    this.closed = true;
  }

  private bytesStore(name: string): InMemoryBytesStore {
    let store = this.data.stores.get(name);
    if (!store) {
      store = new InMemoryBytesStore(name);
      this.data.stores.set(name, store);
    }
    return store;
  }

  private checkOpen(method: string): void {
    if (this.closed) throw new IllegalStateError(`InMemoryTaskBackend.${method}() called after close()`);
  }
}

/** Opens in-memory task state; a task's state survives close and reopen within one factory, as files would. */
export class InMemoryStateBackendFactory implements StateBackendFactory {
  private readonly tasks = new Map<string, InMemoryTaskData>();

  open(taskId: string, _stores?: readonly string[], _fingerprint?: string): TaskStateBackend {
    let data = this.tasks.get(taskId);
    if (!data) {
      data = { stores: new Map(), saved: {} };
      this.tasks.set(taskId, data);
    }
    return new InMemoryTaskBackend(data);
  }
}
