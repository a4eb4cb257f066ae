import type { Message, ProducerBatch, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { RecordRejectedError, RecordTooLargeError } from '../src/errors.js';
import { messageSize, produceRequests, sendInRequests } from '../src/internal/commit-sender.js';

const message = (partition: number, bytes: number): Message => ({ key: 'k', value: Buffer.alloc(bytes), partition });

describe('produceRequests', () => {
  it('keeps every message, in order, in requests of at most 1,000 messages and 512 KiB', () => {
    const messages = Array.from({ length: 5_000 }, (_, i) => ({ ...message(i % 3, 300), key: String(i) }));
    const requests = [...produceRequests([{ topic: 't', messages }])];
    expect(requests.flatMap((r) => r.messages.map((m) => m.key))).toEqual(messages.map((m) => m.key));
    for (const r of requests) {
      expect(r.messages.length).toBeLessThanOrEqual(1_000);
      expect(r.messages.reduce((n, m) => n + messageSize(m), 0)).toBeLessThanOrEqual(512 * 1024);
    }
    // 300-byte values: the byte bound (about 1,570 messages) is above the count bound.
    expect(requests.length).toBe(5);
  });

  it('splits by bytes, and sends a record larger than the bound alone', () => {
    const messages = [message(0, 200_000), message(0, 200_000), message(0, 200_000), message(0, 2_000_000), message(0, 10)];
    const sizes = [...produceRequests([{ topic: 't', messages }])].map((r) => r.messages.length);
    expect(sizes).toEqual([2, 1, 1, 1]);
  });

  it('never mixes topics in one request', () => {
    const requests = [...produceRequests([{ topic: 'a', messages: [message(0, 1)] }, { topic: 'b', messages: [message(0, 1)] }])];
    expect(requests.map((r) => r.topic)).toEqual(['a', 'b']);
  });
});

describe('sendInRequests', () => {
  /** A broker stand-in that assigns offsets per partition as a log would. */
  function fakeLog(refuseAbove = Number.POSITIVE_INFINITY) {
    const next = new Map<string, number>();
    const batches: ProducerBatch[] = [];
    const send = async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
      batches.push(batch);
      const results: RecordMetadata[] = [];
      for (const { topic, messages } of batch.topicMessages ?? []) {
        if (messages.some((m) => messageSize(m) > refuseAbove)) throw Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' });
        for (const partition of new Set(messages.map((m) => m.partition ?? 0))) {
          const key = `${topic}:${partition}`;
          const base = next.get(key) ?? 100;
          next.set(key, base + messages.filter((m) => (m.partition ?? 0) === partition).length);
          results.push({ topicName: topic, partition, errorCode: 0, baseOffset: String(base) });
        }
      }
      return results;
    };
    return { send, batches };
  }

  it('returns, per partition, the offset after the last record of the last request', async () => {
    const log = fakeLog();
    const messages = Array.from({ length: 2_500 }, (_, i) => message(i % 2, 10));
    const ends = await sendInRequests(log.send, [{ topic: 'cl', messages }]);
    expect(log.batches).toHaveLength(3);
    expect(Object.fromEntries(ends)).toEqual({ 'cl:0': 100n + 1250n, 'cl:1': 100n + 1250n });
  });

  it('turns MESSAGE_TOO_LARGE into RecordTooLargeError naming the topic', async () => {
    const log = fakeLog(1_000_000);
    const error = await sendInRequests(log.send, [{ topic: 'out', messages: [message(0, 2_000_000)] }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordTooLargeError);
    expect((error as Error).message).toMatch(/record of about 2000\d+ bytes for topic out/);
  });

  it('turns INVALID_TIMESTAMP into RecordRejectedError naming the topic and the timestamps', async () => {
    const send = async (): Promise<RecordMetadata[]> => {
      throw Object.assign(new Error('timestamp out of range'), { type: 'INVALID_TIMESTAMP' });
    };
    const future = { ...message(0, 1), timestamp: String(Date.UTC(2030, 0, 1)) };
    const error = await sendInRequests(send, [{ topic: 'out', messages: [future] }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordRejectedError);
    expect(error).not.toBeInstanceOf(RecordTooLargeError);
    expect((error as Error).message).toMatch(/topic out: its timestamp is outside .* 2030-01-01T00:00:00.000Z/);
  });

  it('passes other errors through unchanged (the task is rewound and retried)', async () => {
    const original = Object.assign(new Error('not the leader'), { type: 'NOT_LEADER_FOR_PARTITION' });
    const error = await sendInRequests(async () => Promise.reject(original), [{ topic: 'out', messages: [message(0, 1)] }]).catch((e: unknown) => e);
    expect(error).toBe(original);
  });
});
