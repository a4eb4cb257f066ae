import type { Message, ProducerBatch, RecordMetadata } from 'kafkajs';
import { RecordRejectedError, RecordTooLargeError } from '../errors.js';

/** Most records per produce request. */
const MAX_MESSAGES_PER_REQUEST = 1_000;
/**
 * Most key, value and header bytes per produce request. kafkajs writes all of one request's
 * records for a partition into ONE record batch, and the broker refuses a batch larger than the
 * topic's `max.message.bytes` (1 MiB by default); half of that leaves room for batch overhead.
 */
const MAX_BYTES_PER_REQUEST = 512 * 1024;
/** Per-record overhead of the record format (varints, attributes, offsets), rounded up. */
const RECORD_OVERHEAD_BYTES = 32;

/** Where one topic-partition's records of a commit ended: the offset after the last one. */
export type EndOffsets = Map<string, bigint>;

/** The key of {@link EndOffsets} for a topic-partition. */
export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

function byteLength(bytes: Message['key'] | Message['value']): number {
  if (bytes === null || bytes === undefined) return 0;
  return typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength;
}

/** The size a message takes in a record batch, approximately (uncompressed). */
export function messageSize(message: Message): number {
  let size = byteLength(message.key) + byteLength(message.value) + RECORD_OVERHEAD_BYTES;
  if (message.headers) {
    for (const [name, value] of Object.entries(message.headers)) {
      size += Buffer.byteLength(name) + (Array.isArray(value) ? value.reduce((n, v) => n + byteLength(v), 0) : byteLength(value as Buffer | string | undefined));
    }
  }
  return size;
}

/**
 * Splits a commit's records into produce requests of bounded size, in order.
 *
 * Why: a commit can carry megabytes of changelog records for one partition (closing many windows
 * at once), which as one record batch the broker refuses (`MESSAGE_TOO_LARGE`, and the task would
 * rewind and fail the same way forever). Bounded requests also keep kafkajs's per-partition
 * grouping, which copies the partition's list on every message (quadratic), cheap.
 */
export function* produceRequests(records: ReadonlyArray<{ topic: string; messages: Message[] }>): Iterable<{ topic: string; messages: Message[] }> {
  for (const { topic, messages } of records) {
    let request: Message[] = [];
    let bytes = 0;
    for (const message of messages) {
      const size = messageSize(message);
      if (request.length > 0 && (request.length >= MAX_MESSAGES_PER_REQUEST || bytes + size > MAX_BYTES_PER_REQUEST)) {
        yield { topic, messages: request };
        request = [];
        bytes = 0;
      }
      request.push(message);
      bytes += size;
    }
    if (request.length > 0) yield { topic, messages: request };
  }
}

/**
 * Sends a commit's records with `sendBatch` (a transaction's or a plain producer's) in bounded
 * requests, one after the other so that their order within a partition is kept.
 *
 * @returns the offset after the last record sent to each topic-partition with an explicit partition
 * @throws RecordRejectedError when the broker refuses a record for what it is (too large, a
 *   timestamp out of range): retrying cannot help
 */
export async function sendInRequests(
  sendBatch: (batch: ProducerBatch) => Promise<RecordMetadata[]>,
  records: ReadonlyArray<{ topic: string; messages: Message[] }>,
): Promise<EndOffsets> {
  const ends: EndOffsets = new Map();
  for (const request of produceRequests(records)) {
    let results: RecordMetadata[];
    try {
      results = await sendBatch({ topicMessages: [request], acks: -1 });
    } catch (error) {
      throw rejection(error, request) ?? error;
    }
    const counts = new Map<number, number>();
    for (const m of request.messages) if (m.partition !== undefined) counts.set(m.partition, (counts.get(m.partition) ?? 0) + 1);
    for (const r of results) {
      const count = counts.get(r.partition);
      if (count === undefined || r.baseOffset === undefined) continue;
      ends.set(topicPartitionKey(r.topicName, r.partition), BigInt(r.baseOffset) + BigInt(count));
    }
  }
  return ends;
}

/** The error to stop with when the broker refused a record of `request` for what it is; else undefined. */
function rejection(error: unknown, request: { topic: string; messages: Message[] }): RecordRejectedError | undefined {
  const type = (error as { type?: string }).type;
  if (type === 'MESSAGE_TOO_LARGE') {
    const largest = Math.max(...request.messages.map(messageSize));
    return new RecordTooLargeError(
      `a record of about ${largest} bytes for topic ${request.topic} is larger than the broker accepts (the topic's max.message.bytes)`,
      { cause: error, context: { topic: request.topic } },
    );
  }
  if (type === 'INVALID_TIMESTAMP') {
    const timestamps = request.messages.map((m) => Number(m.timestamp));
    return new RecordRejectedError(
      `the broker refused a record for topic ${request.topic}: its timestamp is outside the range the topic accepts ` +
        `(message.timestamp.before/after.max.ms; this request's timestamps span ${new Date(Math.min(...timestamps)).toISOString()} .. ${new Date(Math.max(...timestamps)).toISOString()})`,
      { cause: error, context: { topic: request.topic } },
    );
  }
  return undefined;
}
