import type { RecordHeaders } from './serde/serde.js';

/**
 * A record flowing through a topology: key, value, event time and headers (Kafka Streams'
 * `Record`). Records are immutable; use {@link withRecord} to derive a changed copy.
 */
export interface StreamRecord<K, V> {
  readonly key: K;
  readonly value: V;
  /** Event time in epoch milliseconds. */
  readonly timestamp: number;
  readonly headers: RecordHeaders;
}

/** Where the record being processed came from, when it came from a topic. */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offset as a decimal string (64-bit safe). */
  readonly offset: string;
}

/** A key and a value, as returned by store iterators and `map`/`flatMap` functions. */
export interface KeyValue<K, V> {
  readonly key: K;
  readonly value: V;
}

/** Makes a {@link KeyValue}. */
export function keyValue<K, V>(key: K, value: V): KeyValue<K, V> {
  return { key, value };
}

/** A copy of `record` with some fields replaced. */
export function withRecord<K, V, K2 = K, V2 = V>(
  record: StreamRecord<K, V>,
  changes: { key?: K2; value?: V2; timestamp?: number; headers?: RecordHeaders },
): StreamRecord<K2, V2> {
  return {
    key: ('key' in changes ? changes.key : record.key) as K2,
    value: ('value' in changes ? changes.value : record.value) as V2,
    timestamp: changes.timestamp ?? record.timestamp,
    headers: changes.headers ?? record.headers,
  };
}
