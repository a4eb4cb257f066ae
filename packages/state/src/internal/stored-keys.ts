/**
 * How a store key is written into LMDB.
 *
 * LMDB rejects zero-length keys, but a byte store must accept every key a serde can produce (a
 * string serde turns `""` into no bytes at all, and RocksDB-backed Kafka Streams stores accept it).
 * So every stored key is the caller's key behind one constant byte. A constant prefix preserves the
 * bytewise order, costs one byte per key, and gives open range bounds a concrete value.
 */

/** The byte in front of every stored key. */
const KEY_PREFIX = 0x00;

/** The largest key LMDB accepts (lmdb-js compiles LMDB with a 1978-byte limit). */
export const LMDB_MAX_KEY_BYTES = 1978;

/** The largest key a byte store accepts: LMDB's limit minus the prefix byte. */
export const MAX_KEY_BYTES = LMDB_MAX_KEY_BYTES - 1;

/** Lower bound of the whole key space (inclusive): the prefix alone sorts before every stored key but the empty one. */
export const KEY_SPACE_START: Uint8Array = Uint8Array.of(KEY_PREFIX);

/** Upper bound of the whole key space (exclusive): every stored key starts with the prefix, so is below this. */
export const KEY_SPACE_END: Uint8Array = Uint8Array.of(KEY_PREFIX + 1);

/** A fresh stored key for `key` (use where lmdb may read the key later, e.g. range bounds). */
export function storedKey(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.byteLength + 1);
  out[0] = KEY_PREFIX;
  out.set(key, 1);
  return out;
}

/**
 * Encodes keys into one reused buffer, for calls where lmdb copies the key before returning (get,
 * put and remove inside a synchronous transaction): saves an allocation per write.
 */
export class StoredKeyWriter {
  private readonly scratch = new Uint8Array(LMDB_MAX_KEY_BYTES);
  // One view of the scratch buffer per key length, made once: keys of a store mostly share a few
  // lengths, so encoding a key allocates nothing.
  private readonly views: Uint8Array[] = [];

  constructor() {
    this.scratch[0] = KEY_PREFIX;
  }

  /**
   * The stored form of `key`, valid until the next call.
   * @returns `undefined` when the key is longer than {@link MAX_KEY_BYTES}
   */
  encode(key: Uint8Array): Uint8Array | undefined {
    const length = key.byteLength;
    if (length > MAX_KEY_BYTES) return undefined;
    this.scratch.set(key, 1);
    let view = this.views[length];
    if (view === undefined) {
      view = this.scratch.subarray(0, length + 1);
      this.views[length] = view;
    }
    return view;
  }
}

const slice = Uint8Array.prototype.slice;

/**
 * The caller's key inside a stored key read back from LMDB. A copy, not a `subarray` view: lmdb-js
 * hands out small keys as on-heap typed arrays, and a view makes V8 materialize their backing
 * store (about 1 µs a key, tripling the cost of a range scan); `Buffer#slice` would be a view too.
 */
export function userKey(stored: Uint8Array): Uint8Array {
  return slice.call(stored, 1);
}
