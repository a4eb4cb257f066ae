import type { InputRecord, OutputRecord } from '@weir/core';

/** What to do with a record that failed. */
export type HandlerResponse = 'continue' | 'fail';

/** A failed record and its error, as handlers see it. */
export interface FailedRecord {
  readonly record: InputRecord;
  readonly error: Error;
  /** Which stage failed. */
  readonly stage: 'deserialization' | 'processing';
}

/**
 * Decides what happens to a record that could not be deserialized or processed (Kafka Streams'
 * DeserializationExceptionHandler / ProcessingExceptionHandler). It may return records to
 * produce in the same commit (a dead-letter record), so that a skipped record is never lost
 * silently: the dead letter and the skip commit together.
 */
export interface ErrorHandler {
  handle(failed: FailedRecord): { response: HandlerResponse; produce?: OutputRecord[] };
}

/** Logs and stops the app (Kafka Streams' default). */
export const logAndFail: ErrorHandler = {
  handle: () => ({ response: 'fail' }),
};

/** Logs and skips the record (counted in metrics as dropped with reason `error`). */
export const logAndContinue: ErrorHandler = {
  handle: () => ({ response: 'continue' }),
};

const encoder = new TextEncoder();

/**
 * Sends the failed record to a dead-letter topic and goes on: the original key, value and headers,
 * plus headers `weir.error.message`, `weir.error.stage`, `weir.source.topic`,
 * `weir.source.partition` and `weir.source.offset`. The record keeps its original timestamp.
 */
export function deadLetterTopic(topic: string): ErrorHandler {
  return {
    handle({ record, error, stage }) {
      return {
        response: 'continue',
        produce: [
          {
            topic,
            key: record.key,
            value: record.value,
            timestamp: record.timestamp,
            headers: {
              ...record.headers,
              'weir.error.message': encoder.encode(error.message),
              'weir.error.stage': encoder.encode(stage),
              'weir.source.topic': encoder.encode(record.topic),
              'weir.source.partition': encoder.encode(String(record.partition)),
              'weir.source.offset': encoder.encode(record.offset),
            },
          },
        ],
      };
    },
  };
}
