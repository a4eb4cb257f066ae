/**
 * Serialization for keys and values, as Kafka Streams' `Serde<T>`.
 *
 * `null` bytes mean "no value" (a Kafka tombstone) and pass through every serde
 * untouched: `serialize(topic, null)` returns `null` and `deserialize(topic, null)`
 * returns `null`, so a topology can delete keys whatever its value type.
 */
export interface Serde<T> {
  /** Turns a value into bytes; `null` stays `null`. */
  serialize(topic: string, data: T | null, headers?: RecordHeaders): Uint8Array | null;
  /** Turns bytes back into a value; `null` stays `null`. @throws SerdeError on malformed bytes */
  deserialize(topic: string, data: Uint8Array | null, headers?: RecordHeaders): T | null;
}

/** Kafka record headers: names to raw bytes, in arrival order. */
export type RecordHeaders = Record<string, Uint8Array>;
