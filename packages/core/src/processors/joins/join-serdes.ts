import { SerdeError } from '../../errors.js';
import type { Serde } from '../../serde/serde.js';
import { readSortableInt64, writeSortableInt64 } from '../../state/key-encoding.js';

/**
 * Byte layouts of the stream-stream join stores.
 *
 * - join window stores hold, per key and timestamp, the list of every value seen there:
 *   `[count:4]([length:4][value])*`. Kafka Streams keeps duplicates by appending a sequence
 *   number to the store key; a list under one key gives the same "keep every record" semantics
 *   over the plain window store (and iterates duplicates in arrival order).
 * - the shared outer-join store is a key-value store keyed by `[timestamp:8][side:1][key]`, so that
 *   a scan from the start meets records oldest first (Kafka Streams' `TimestampedKeyAndJoinSide`,
 *   right side (0) before left side (1) at equal timestamps), with the list of pending values of
 *   that side as its value.
 */

/** `[count:4]([length:4][value])*`: every value stored under one key, in arrival order. */
export function valueListSerde<V>(inner: Serde<V>): Serde<V[]> {
  return {
    serialize(topic, data) {
      if (data === null || data === undefined) return null;
      const parts = data.map((value) => inner.serialize(topic, value) ?? new Uint8Array(0));
      let size = 4;
      for (const p of parts) size += 4 + p.byteLength;
      const out = new Uint8Array(size);
      const view = new DataView(out.buffer);
      view.setUint32(0, parts.length);
      let at = 4;
      for (const p of parts) {
        view.setUint32(at, p.byteLength);
        out.set(p, at + 4);
        at += 4 + p.byteLength;
      }
      return out;
    },
    deserialize(topic, data) {
      if (data === null || data === undefined) return null;
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const malformed = () => new SerdeError(`malformed join value list of ${data.byteLength} bytes`, { context: { topic } });
      if (data.byteLength < 4) throw malformed();
      const count = view.getUint32(0);
      const values: V[] = [];
      let at = 4;
      for (let i = 0; i < count; i++) {
        if (at + 4 > data.byteLength) throw malformed();
        const length = view.getUint32(at);
        if (at + 4 + length > data.byteLength) throw malformed();
        values.push(inner.deserialize(topic, data.subarray(at + 4, at + 4 + length)) as V);
        at += 4 + length;
      }
      return values;
    },
  };
}

/** Which input of a stream-stream join a record came from. */
export type JoinSide = 'left' | 'right';

/** Key of the shared outer-join store: a record's timestamp, side and key. */
export interface TimestampedKeyAndSide<K> {
  readonly timestamp: number;
  readonly side: JoinSide;
  readonly key: K;
}

const RIGHT = 0;
const LEFT = 1;

/** `[timestamp:8][side:1][key]`: orders pending outer-join records by time, right before left. */
export function timestampedKeyAndSideSerde<K>(keySerde: Serde<K>): Serde<TimestampedKeyAndSide<K>> {
  return {
    serialize(topic, data) {
      if (data === null || data === undefined) return null;
      const key = keySerde.serialize(topic, data.key) ?? new Uint8Array(0);
      const out = new Uint8Array(9 + key.byteLength);
      writeSortableInt64(out, 0, data.timestamp);
      out[8] = data.side === 'left' ? LEFT : RIGHT;
      out.set(key, 9);
      return out;
    },
    deserialize(topic, data) {
      if (data === null || data === undefined) return null;
      if (data.byteLength < 9) throw new SerdeError(`outer-join store key of ${data.byteLength} bytes is too short`, { context: { topic } });
      return {
        timestamp: readSortableInt64(data, 0),
        side: data[8] === LEFT ? 'left' : 'right',
        key: keySerde.deserialize(topic, data.subarray(9)) as K,
      };
    },
  };
}

/** A pending value of either side (Kafka Streams' `LeftOrRightValue`). */
export type LeftOrRightValue<VL, VR> = { readonly side: 'left'; readonly value: VL } | { readonly side: 'right'; readonly value: VR };

/** `[side:1][value]` with the side's serde. */
export function leftOrRightValueSerde<VL, VR>(left: Serde<VL>, right: Serde<VR>): Serde<LeftOrRightValue<VL, VR>> {
  return {
    serialize(topic, data) {
      if (data === null || data === undefined) return null;
      const bytes =
        (data.side === 'left' ? left.serialize(topic, data.value) : right.serialize(topic, data.value)) ?? new Uint8Array(0);
      const out = new Uint8Array(1 + bytes.byteLength);
      out[0] = data.side === 'left' ? LEFT : RIGHT;
      out.set(bytes, 1);
      return out;
    },
    deserialize(topic, data) {
      if (data === null || data === undefined) return null;
      if (data.byteLength < 1) throw new SerdeError('outer-join store value is empty', { context: { topic } });
      const bytes = data.subarray(1);
      return data[0] === LEFT
        ? { side: 'left', value: left.deserialize(topic, bytes) as VL }
        : { side: 'right', value: right.deserialize(topic, bytes) as VR };
    },
  };
}
