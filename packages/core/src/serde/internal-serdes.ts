import { SerdeError } from '../errors.js';
import type { ValueAndTimestamp } from '../state/stores.js';
import { readSortableInt64, writeSortableInt64 } from '../state/key-encoding.js';
import type { Windowed } from '../windows/windowed.js';
import type { Serde } from './serde.js';

/** A KTable update: the new value and, when the operator needs it, the value it replaced. */
export interface Change<V> {
  readonly newValue: V | null;
  readonly oldValue: V | null;
}

function serializeOrEmpty<T>(serde: Serde<T>, topic: string, value: T | null): Uint8Array | null {
  return value === null ? null : serde.serialize(topic, value);
}

/** `[timestamp:8][value]`: how aggregation stores keep a value with its timestamp. */
export function timestampedSerde<V>(inner: Serde<V>): Serde<ValueAndTimestamp<V>> {
  return {
    serialize(topic, data) {
      if (data === null || data === undefined) return null;
      const value = inner.serialize(topic, data.value) ?? new Uint8Array(0);
      const out = new Uint8Array(8 + value.byteLength);
      writeSortableInt64(out, 0, data.timestamp);
      out.set(value, 8);
      return out;
    },
    deserialize(topic, data) {
      if (data === null || data === undefined) return null;
      if (data.byteLength < 8) throw new SerdeError(`timestamped value of ${data.byteLength} bytes is too short`, { context: { topic } });
      return { timestamp: readSortableInt64(data, 0), value: inner.deserialize(topic, data.subarray(8)) as V };
    },
  };
}

/** `[keyLength:4][key][start:8][end:8]`: windowed keys on repartition topics and in suppress buffers. */
export function windowedSerde<K>(inner: Serde<K>): Serde<Windowed<K>> {
  return {
    serialize(topic, data) {
      if (data === null || data === undefined) return null;
      const key = inner.serialize(topic, data.key) ?? new Uint8Array(0);
      const out = new Uint8Array(4 + key.byteLength + 16);
      new DataView(out.buffer).setUint32(0, key.byteLength);
      out.set(key, 4);
      writeSortableInt64(out, 4 + key.byteLength, data.window.start);
      writeSortableInt64(out, 12 + key.byteLength, data.window.end);
      return out;
    },
    deserialize(topic, data) {
      if (data === null || data === undefined) return null;
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      if (data.byteLength < 20 || view.getUint32(0) + 20 !== data.byteLength) {
        throw new SerdeError(`malformed windowed key of ${data.byteLength} bytes`, { context: { topic } });
      }
      const keyLength = view.getUint32(0);
      return {
        key: inner.deserialize(topic, data.subarray(4, 4 + keyLength)) as K,
        window: { start: readSortableInt64(data, 4 + keyLength), end: readSortableInt64(data, 12 + keyLength) },
      };
    },
  };
}

/** `[newLength:4 or 0xffffffff][new][old or nothing]`: KTable changes on repartition topics. */
export function changeSerde<V>(inner: Serde<V>): Serde<Change<V>> {
  const ABSENT = 0xffffffff;
  return {
    serialize(topic, data) {
      if (data === null || data === undefined) return null;
      const newBytes = serializeOrEmpty(inner, topic, data.newValue);
      const oldBytes = serializeOrEmpty(inner, topic, data.oldValue);
      const out = new Uint8Array(8 + (newBytes?.byteLength ?? 0) + (oldBytes?.byteLength ?? 0));
      const view = new DataView(out.buffer);
      view.setUint32(0, newBytes === null ? ABSENT : newBytes.byteLength);
      let at = 4;
      if (newBytes) {
        out.set(newBytes, at);
        at += newBytes.byteLength;
      }
      view.setUint32(at, oldBytes === null ? ABSENT : oldBytes.byteLength);
      if (oldBytes) out.set(oldBytes, at + 4);
      return out;
    },
    deserialize(topic, data) {
      if (data === null || data === undefined) return null;
      try {
        const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
        const newLength = view.getUint32(0);
        let at = 4;
        let newValue: V | null = null;
        if (newLength !== ABSENT) {
          newValue = inner.deserialize(topic, data.subarray(at, at + newLength));
          at += newLength;
        }
        const oldLength = view.getUint32(at);
        const oldValue = oldLength === ABSENT ? null : inner.deserialize(topic, data.subarray(at + 4, at + 4 + oldLength));
        return { newValue, oldValue };
      } catch (cause) {
        throw new SerdeError(`malformed KTable change of ${data.byteLength} bytes`, { cause, context: { topic } });
      }
    },
  };
}
