import type { RecordMetadata, StreamRecord } from '../record.js';
import type { StateStore } from '../state/stores.js';

/** What drives a punctuator: the task's stream time, or the wall clock. */
export enum PunctuationType {
  STREAM_TIME = 'STREAM_TIME',
  WALL_CLOCK_TIME = 'WALL_CLOCK_TIME',
}

/** A handle that cancels a scheduled punctuator. */
export interface Cancellable {
  cancel(): void;
}

/** Why a record was dropped, for the dropped-records counters. */
export type DropReason = 'late' | 'null-key' | 'null-value' | 'error' | 'expired';

/**
 * The context a processor works in (Kafka Streams' `api.ProcessorContext`): forward records to
 * children, reach state stores, schedule punctuators, read the current record's metadata.
 */
export interface ProcessorContext<KOut, VOut> {
  /** The application id the topology runs under. */
  readonly applicationId: string;
  /** The task this processor instance belongs to, e.g. `0_3`. */
  readonly taskId: string;
  /** Sends a record to every child, or to the child named `childName`. */
  forward(record: StreamRecord<KOut, VOut>, childName?: string): void;
  /** The state store `name`, which the processor must have been connected to. @throws StateStoreError */
  getStateStore<S extends StateStore>(name: string): S;
  /**
   * Calls `punctuator` every `intervalMs` of stream time or wall-clock time.
   * Stream-time punctuators fire when stream time advances past the next boundary, once per call
   * even if several intervals passed (as Kafka Streams does).
   */
  schedule(intervalMs: number, type: PunctuationType, punctuator: (timestamp: number) => void): Cancellable;
  /** Topic, partition and offset of the record being processed, if it came from a topic. */
  recordMetadata(): RecordMetadata | undefined;
  /** The task's stream time: the largest timestamp it has seen (-1 before any record). */
  currentStreamTimeMs(): number;
  /** Wall-clock time as the task sees it (mocked in the TestDriver). */
  currentSystemTimeMs(): number;
  /** Asks the runtime to commit soon. */
  commit(): void;
  /** Counts a dropped record (late, null key, ...) in the task's metrics. */
  recordDropped(reason: DropReason): void;
}

/**
 * A processor (Kafka Streams' `api.Processor`): receives records one by one, synchronously.
 * `init` runs once before the first record, `close` once when the task closes.
 */
export interface Processor<KIn, VIn, KOut = never, VOut = never> {
  init?(context: ProcessorContext<KOut, VOut>): void;
  process(record: StreamRecord<KIn, VIn>): void;
  close?(): void;
}

/** Creates a fresh processor instance per task. */
export type ProcessorSupplier<KIn, VIn, KOut = never, VOut = never> = () => Processor<KIn, VIn, KOut, VOut>;
