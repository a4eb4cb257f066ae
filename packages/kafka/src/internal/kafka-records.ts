import type { OutputRecord, RecordHeaders } from '@weir/core';
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';

/** Bytes as kafkajs wants them (a Buffer view, no copy). */
export function toBuffer(bytes: Uint8Array | null): Buffer | null {
  if (bytes === null) return null;
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** kafkajs headers to Weir's (string values become UTF-8 bytes; repeated headers keep the last). */
export function fromKafkaHeaders(headers: IHeaders | undefined): RecordHeaders {
  const out: RecordHeaders = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last === undefined) continue;
    out[name] = typeof last === 'string' ? new TextEncoder().encode(last) : last;
  }
  return out;
}

/** A Weir output record as a kafkajs message for a known partition count. */
export function toKafkaMessage(record: OutputRecord, partitions: number | undefined): Message {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(record.headers)) headers[name] = toBuffer(value)!;
  let partition = record.partition;
  if (partition === undefined && record.partitioner && partitions !== undefined) {
    partition = record.partitioner(partitions);
  }
  return {
    key: toBuffer(record.key),
    value: toBuffer(record.value),
    timestamp: String(record.timestamp),
    headers,
    ...(partition === undefined ? {} : { partition }),
  };
}

/** The offset after a consumed message. */
export function nextOffset(message: KafkaMessage): bigint {
  return BigInt(message.offset) + 1n;
}
