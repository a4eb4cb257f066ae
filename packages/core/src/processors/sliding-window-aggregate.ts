import type { Processor, ProcessorContext, ProcessorSupplier } from '../processor/processor.js';
import type { StreamRecord } from '../record.js';
import type { Change } from '../serde/internal-serdes.js';
import type { ValueAndTimestamp, WindowStore } from '../state/stores.js';
import type { EmitStrategy } from '../windows/emit-strategy.js';
import type { SlidingWindows } from '../windows/sliding-windows.js';
import { type Windowed, windowed } from '../windows/windowed.js';
import type { OldValuesFlag } from './table-processors.js';
import { type CachingStore, tableForwarder } from './table-forwarder.js';
import { WindowProgress } from './window-aggregate.js';

type TimestampedWindowStore<K, A> = WindowStore<K, ValueAndTimestamp<A>> & CachingStore<ValueAndTimestamp<A>>;

/** What one record found in the store: the inputs of the windows it creates. */
interface Neighbourhood<A> {
  /** Starts of every window of the key the record's scan saw. */
  readonly windowStarts: Set<number>;
  /** Aggregate of the latest window ending before the record (its left window copies it). */
  leftAggregate: ValueAndTimestamp<A> | undefined;
  /** Aggregate of the latest window containing the record and ending after it (its right window copies it). */
  rightAggregate: ValueAndTimestamp<A> | undefined;
  leftWindowExists: boolean;
  rightWindowExists: boolean;
  /** Timestamp of the latest record before this one within reach, when its right window may be missing. */
  previousTimestamp: number | undefined;
}

/**
 * Aggregates a grouped stream into sliding windows (Kafka Streams' `KStreamSlidingWindowAggregate`,
 * KIP-450). Windows are `[start, start + timeDifference]`, both ends inclusive, stored by start.
 *
 * Spec: a record at `t` creates its left window `[t - timeDifference, t]` (seeded with the
 * records before it), the right window `[t + 1, t + 1 + timeDifference]` when later records fall
 * in it, the missing right window of the record before it, and updates every existing window
 * containing `t`. Records before `timeDifference` go to the window `[0, timeDifference]` instead of
 * a left window with a negative start. A window is closed once stream time passes its end + grace
 * (`end < streamTime - grace`); a record is dropped as late (counted) when even the window
 * starting at `t` is closed, and closed windows it would update are skipped (each counted).
 * Records with a null key or value are dropped (counted). With emit-on-update the updates go out
 * through the store cache; with emit-on-close each window is emitted once, when it closes, in
 * window-start then key order. Forwarded records carry the window's largest record timestamp.
 */
export function slidingWindowAggregateProcessor<K, V, A>(
  storeName: string,
  windows: SlidingWindows,
  initializer: () => A,
  aggregator: (key: K, value: V, aggregate: A) => A,
  emitStrategy: EmitStrategy,
  oldValues: OldValuesFlag,
): ProcessorSupplier<K, V, Windowed<K>, Change<A>> {
  return () => new SlidingWindowAggregate(storeName, windows, initializer, aggregator, emitStrategy.type === 'ON_WINDOW_CLOSE', oldValues);
}

class SlidingWindowAggregate<K, V, A> implements Processor<K, V, Windowed<K>, Change<A>> {
  private context!: ProcessorContext<Windowed<K>, Change<A>>;
  private store!: TimestampedWindowStore<K, A>;
  private forwardUpdate!: ReturnType<typeof tableForwarder<Windowed<K>, A>>;
  private readonly progress: WindowProgress;
  private readonly timeDifference: number;

  constructor(
    private readonly storeName: string,
    private readonly windows: SlidingWindows,
    private readonly initializer: () => A,
    private readonly aggregator: (key: K, value: V, aggregate: A) => A,
    private readonly emitFinal: boolean,
    private readonly oldValues: OldValuesFlag,
  ) {
    this.progress = new WindowProgress(storeName);
    this.timeDifference = windows.timeDifferenceMs;
  }

  init(context: ProcessorContext<Windowed<K>, Change<A>>): void {
    this.context = context;
    this.progress.init(context as ProcessorContext<unknown, unknown>);
    this.store = context.getStateStore(this.storeName);
    if (!this.emitFinal) this.forwardUpdate = tableForwarder(context, this.store, () => this.oldValues.enabled);
  }

  process(record: StreamRecord<K, V>): void {
    if (record.key === null || record.key === undefined) {
      this.context.recordDropped('null-key');
      return;
    }
    // Kafka Streams' sliding windows (unlike time windows) also skip null values.
    if (record.value === null || record.value === undefined) {
      this.context.recordDropped('null-value');
      return;
    }
    const closeTime = this.progress.observe(record.timestamp) - this.windows.graceMs;
    // Spec: late only when the latest window that could hold the record, [t, t + timeDifference], is closed.
    if (record.timestamp + this.timeDifference < closeTime) {
      this.context.recordDropped('late');
      return;
    }
    // As Kafka Streams: an early record returns before the final-emit check.
    if (record.timestamp < this.timeDifference) {
      this.processEarly(record, closeTime);
      return;
    }
    const around = this.scan(record, closeTime);
    if (around) this.createWindows(record, closeTime, around);
    if (this.emitFinal) this.emitClosedWindows(record, closeTime);
  }

  /**
   * Walks the key's windows from `t + 1` back to `t - 2 * timeDifference` (newest first), updating
   * those that contain `t`. Returns what the new windows need, or `undefined` when every window
   * the record needs exists already (its left window holds a record at `t` too).
   */
  private scan(record: StreamRecord<K, V>, closeTime: number): Neighbourhood<A> | undefined {
    const t = record.timestamp;
    const around: Neighbourhood<A> = {
      windowStarts: new Set(),
      leftAggregate: undefined,
      rightAggregate: undefined,
      leftWindowExists: false,
      rightWindowExists: false,
      previousTimestamp: undefined,
    };
    // Read before writing: updates below put into the store being scanned.
    const found = [...this.store.backwardFetch(record.key, Math.max(0, t - 2 * this.timeDifference), t + 1)];
    for (const { windowStart: start, value } of found) {
      around.windowStarts.add(start);
      const end = start + this.timeDifference;
      if (start === t + 1) {
        around.rightWindowExists = true;
      } else if (end > t) {
        around.rightAggregate ??= value;
        this.aggregateInto(record, closeTime, start, value, true);
      } else if (end === t) {
        around.leftWindowExists = true;
        this.aggregateInto(record, closeTime, start, value, true);
        // A record at t was here before: the windows this one would create exist already.
        if (value.timestamp >= t) return undefined;
        around.previousTimestamp = value.timestamp;
      } else {
        around.leftAggregate = value;
        around.previousTimestamp = value.timestamp;
        break;
      }
    }
    return around;
  }

  private createWindows(record: StreamRecord<K, V>, closeTime: number, around: Neighbourhood<A>): void {
    const t = record.timestamp;
    const previous = around.previousTimestamp;
    // The previous record's right window, if missing and the new record falls in it.
    if (previous !== undefined) {
      const start = previous + 1;
      if (!around.windowStarts.has(start) && start + this.timeDifference >= t) {
        this.aggregateInto(record, closeTime, start, { value: this.initializer(), timestamp: t }, false);
      }
    }
    if (!around.leftWindowExists) {
      // The left window starts from the records before t that it covers, if any.
      const seed =
        previous !== undefined && around.leftAggregate && t - this.timeDifference <= previous
          ? around.leftAggregate.value
          : this.initializer();
      this.aggregateInto(record, closeTime, t - this.timeDifference, { value: seed, timestamp: t }, false);
    }
    if (!around.rightWindowExists) this.createRightWindow(record, around.rightAggregate);
  }

  /**
   * A record before `timeDifference`: its left window would start before 0, so the window
   * `[0, timeDifference]` holds every early record instead.
   */
  private processEarly(record: StreamRecord<K, V>, closeTime: number): void {
    const t = record.timestamp;
    let combined: ValueAndTimestamp<A> | undefined;
    let rightAggregate: ValueAndTimestamp<A> | undefined;
    let rightWindowExists = false;
    let previousTimestamp: number | undefined;
    const windowStarts = new Set<number>();
    const found = [...this.store.fetchRange(record.key, 0, t + 1)];
    for (const { windowStart: start, value } of found) {
      windowStarts.add(start);
      if (start === 0) {
        combined = value;
        // A record after t in [0, timeDifference] means the previous record's right window exists.
        if (value.timestamp < t) previousTimestamp = value.timestamp;
      } else if (start <= t) {
        rightAggregate = value;
        this.aggregateInto(record, closeTime, start, value, true);
      } else if (start === t + 1) {
        rightWindowExists = true;
      }
    }
    // No window between: the combined window holds only records after t (if any), all of which
    // belong in t's right window.
    if (!rightAggregate && combined && combined.timestamp > t) rightAggregate = combined;
    if (!rightWindowExists) this.createRightWindow(record, rightAggregate);
    if (previousTimestamp !== undefined && !windowStarts.has(previousTimestamp + 1)) {
      this.aggregateInto(record, closeTime, previousTimestamp + 1, { value: this.initializer(), timestamp: t }, false);
    }
    if (combined) this.aggregateInto(record, closeTime, 0, combined, true);
    else this.aggregateInto(record, closeTime, 0, { value: this.initializer(), timestamp: t }, false);
  }

  /** Creates `[t + 1, t + 1 + timeDifference]` as a copy of `source` if that holds records after `t`. */
  private createRightWindow(record: StreamRecord<K, V>, source: ValueAndTimestamp<A> | undefined): void {
    if (!source || source.timestamp <= record.timestamp) return;
    const start = record.timestamp + 1;
    this.store.put(record.key, source, start);
    if (!this.emitFinal) {
      this.forwardUpdate(windowed(record.key, start, start + this.timeDifference), source.value, null, source.timestamp, record.headers);
    }
  }

  /**
   * Adds the record to the window starting at `start` whose aggregate so far is `base`, unless the
   * window is closed. `stored`: whether `base` came from the store (else the window is new).
   */
  private aggregateInto(
    record: StreamRecord<K, V>,
    closeTime: number,
    start: number,
    base: ValueAndTimestamp<A>,
    stored: boolean,
  ): void {
    const end = start + this.timeDifference;
    if (end < closeTime) {
      this.context.recordDropped('late');
      return;
    }
    const aggregate = this.aggregator(record.key, record.value, base.value);
    const timestamp = Math.max(record.timestamp, base.timestamp);
    this.store.put(record.key, { value: aggregate, timestamp }, start);
    if (!this.emitFinal) {
      this.forwardUpdate(windowed(record.key, start, end), aggregate, stored ? base.value : null, timestamp, record.headers);
    }
  }

  /** Emit-on-close: every window that closed since the last emission, once. */
  private emitClosedWindows(record: StreamRecord<K, V>, closeTime: number): void {
    const last = this.progress.lastEmitCloseTime;
    if (last !== undefined && last >= closeTime) return;
    // Closed windows end before closeTime: start <= closeTime - timeDifference - 1 (Kafka Streams'
    // bounds; the previous emission covered starts up to last - timeDifference - 1).
    const upper = closeTime - this.timeDifference - 1;
    if (upper < 0) return;
    const lower = last === undefined ? 0 : Math.max(0, last - this.timeDifference);
    const closed = lower <= upper ? [...this.store.fetchAll(lower, upper)] : [];
    // Window-start order (stable: keys stay in store order within a start).
    closed.sort((a, b) => a.key.window.start - b.key.window.start);
    for (const { key, value } of closed) {
      this.context.forward({ key, value: { newValue: value.value, oldValue: null }, timestamp: value.timestamp, headers: record.headers });
    }
    this.progress.lastEmitCloseTime = closeTime;
  }
}
