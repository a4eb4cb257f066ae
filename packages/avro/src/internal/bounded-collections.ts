import avro from 'avsc';

/** The part of avsc's (private) `Tap` that a reader touches: the buffer and the read position. */
interface Tap {
  buf: Buffer;
  pos: number;
  readLong(): number;
  readString(): string;
  skipLong(): void;
}

interface Reader {
  _read(tap: Tap): unknown;
}

function blockCount(tap: Tap): number {
  const n = tap.readLong();
  if (n >= 0) return n;
  // A negative count is followed by the block's size in bytes, which a reader skips.
  tap.skipLong();
  return -n;
}

/*
 * avsc's array and map readers trust the block count: poison bytes announcing four billion items
 * keep a task busy reading past the end of a 10-byte record for minutes, only to report it
 * truncated. These readers stop at the first item that runs past the end; the caller then
 * reports the bytes as truncated, as it would have anyway.
 *
 * They are installed as prototype methods: avsc freezes its types in the constructor, and a
 * resolver borrows the reader type's `_read` with `this` bound to the resolver, whose
 * `itemsType`/`valuesType` are then resolvers too. Both expose `_read`, all this code needs.
 */

/** Avro array whose reader stops at the end of the bytes. */
export class BoundedArrayType extends avro.types.ArrayType {
  _read(this: { itemsType: Reader }, tap: Tap): unknown[] {
    const items = this.itemsType;
    const values: unknown[] = [];
    for (let n = blockCount(tap); n > 0; n = blockCount(tap)) {
      while (n-- > 0) {
        values.push(items._read(tap));
        if (tap.pos > tap.buf.length) return values;
      }
    }
    return values;
  }
}

/** Avro map whose reader stops at the end of the bytes. */
export class BoundedMapType extends avro.types.MapType {
  _read(this: { valuesType: Reader }, tap: Tap): Record<string, unknown> {
    const values = this.valuesType;
    const map: Record<string, unknown> = {};
    for (let n = blockCount(tap); n > 0; n = blockCount(tap)) {
      while (n-- > 0) {
        const key = tap.readString();
        const value = values._read(tap);
        // An assignment to "__proto__" would replace the object's prototype.
        if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true });
        else map[key] = value;
        if (tap.pos > tap.buf.length) return map;
      }
    }
    return map;
  }
}
