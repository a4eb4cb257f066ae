import type { ProcessorContext, ProcessorSupplier } from '../processor/processor.js';
import type { StreamRecord } from '../record.js';
import { internal, type InternalProcessorContext } from '../runtime/internal-context.js';
import type { Change } from '../serde/internal-serdes.js';
import type { ValueAndTimestamp, WindowStore } from '../state/stores.js';
import type { EmitStrategy } from '../windows/emit-strategy.js';
import type { TimeWindows } from '../windows/time-windows.js';
import { type Windowed, windowed } from '../windows/windowed.js';
import type { OldValuesFlag } from './table-processors.js';
import { type CachingStore, tableForwarder } from './table-forwarder.js';

type TimestampedWindowStore<K, A> = WindowStore<K, ValueAndTimestamp<A>> & CachingStore<ValueAndTimestamp<A>>;

const NO_TIMESTAMP = -1;

/**
 * Stream time and final-emit progress of a windowed aggregation, kept as task metadata so that a
 * restarted task judges lateness exactly as before the crash. (Kafka Streams keeps the observed
 * stream time in memory only; after a restart it accepts late records until a newer record
 * arrives. Weir persists it, so a run with crashes gives the output of a run without.)
 */
export class WindowProgress {
  private context!: InternalProcessorContext<unknown, unknown>;

  constructor(private readonly storeName: string) {}

  init(context: ProcessorContext<unknown, unknown>): void {
    this.context = internal(context);
  }

  get observedStreamTime(): number {
    return this.context.processorMetadata(`${this.storeName}.streamTime`) ?? NO_TIMESTAMP;
  }

  observe(timestamp: number): number {
    const time = Math.max(this.observedStreamTime, timestamp);
    this.context.setProcessorMetadata(`${this.storeName}.streamTime`, time);
    return time;
  }

  /** Close time of the last final emission, `undefined` before the first. */
  get lastEmitCloseTime(): number | undefined {
    return this.context.processorMetadata(`${this.storeName}.lastEmit`);
  }

  set lastEmitCloseTime(time: number) {
    this.context.setProcessorMetadata(`${this.storeName}.lastEmit`, time);
  }
}

function sameWindows(a: readonly { start: number }[], b: readonly { start: number }[]): boolean {
  return a.length === b.length && a.every((w, i) => w.start === b[i]!.start);
}

/**
 * Aggregates a grouped stream into time windows (Kafka Streams' `KStreamWindowAggregate`).
 *
 * Spec: a record at `t` updates every window containing `t` whose end is after the close time
 * `streamTime - grace`; windows already closed drop it as late (counted). With emit-on-update the
 * updates go out through the store cache; with emit-on-close each window is emitted once, as soon
 * as stream time reaches its end + grace, in window-start then key order.
 */
export function windowAggregateProcessor<K, V, A>(
  storeName: string,
  windows: TimeWindows,
  initializer: () => A,
  aggregator: (key: K, value: V, aggregate: A) => A,
  emitStrategy: EmitStrategy,
  oldValues: OldValuesFlag,
): ProcessorSupplier<K, V, Windowed<K>, Change<A>> {
  const emitFinal = emitStrategy.type === 'ON_WINDOW_CLOSE';
  return () => {
    let context: ProcessorContext<Windowed<K>, Change<A>>;
    let store: TimestampedWindowStore<K, A>;
    let forwardUpdate: ReturnType<typeof tableForwarder<Windowed<K>, A>>;
    const progress = new WindowProgress(storeName);

    const emitClosedWindows = (record: StreamRecord<K, V>, closeTime: number) => {
      const last = progress.lastEmitCloseTime;
      if (last !== undefined && last >= closeTime) return;
      // Windows with end <= closeTime, i.e. start <= closeTime - size, not emitted before
      // (Kafka Streams: the range [max(0, last - size) + 1, closeTime - size]).
      const upper = closeTime - windows.sizeMs;
      if (upper < 0) return;
      const lower = last === undefined ? 0 : Math.max(0, last - windows.sizeMs) + 1;
      // Spec (Kafka Streams' shouldRangeFetch): no window closed since the last emission when the
      // windows around both bounds are the same; skip the store scan (and keep the last close time).
      if (last !== undefined && sameWindows(windows.windowsFor(upper), windows.windowsFor(lower - 1))) return;
      const closed: Array<{ key: Windowed<K>; value: ValueAndTimestamp<A> }> = [];
      if (lower <= upper) for (const entry of store.fetchAll(lower, upper)) closed.push(entry);
      // Emit in window-start order (stable: keys stay in store order within a start).
      closed.sort((a, b) => a.key.window.start - b.key.window.start);
      for (const { key, value } of closed) {
        context.forward({ key, value: { newValue: value.value, oldValue: null }, timestamp: value.timestamp, headers: record.headers });
      }
      progress.lastEmitCloseTime = closeTime;
    };

    return {
      init(ctx) {
        context = ctx;
        progress.init(ctx as ProcessorContext<unknown, unknown>);
        store = ctx.getStateStore(storeName);
        if (!emitFinal) forwardUpdate = tableForwarder(ctx, store, () => oldValues.enabled);
      },
      process(record) {
        if (record.key === null || record.key === undefined) {
          context.recordDropped('null-key');
          return;
        }
        const streamTime = progress.observe(record.timestamp);
        const closeTime = streamTime - windows.graceMs;
        // Emit before this record's writes: they advance the store's retention, which could hide
        // windows closing now after a jump in stream time. (Kafka Streams emits after the writes
        // and can miss such windows; the output is otherwise the same, since a record only
        // updates windows that are still open.)
        if (emitFinal) emitClosedWindows(record, closeTime);
        for (const window of windows.windowsFor(record.timestamp)) {
          if (window.end <= closeTime) {
            context.recordDropped('late');
            continue;
          }
          const old = store.fetch(record.key, window.start);
          const aggregate = aggregator(record.key, record.value, old ? old.value : initializer());
          const timestamp = old ? Math.max(record.timestamp, old.timestamp) : record.timestamp;
          store.put(record.key, { value: aggregate, timestamp }, window.start);
          if (!emitFinal) {
            forwardUpdate(windowed(record.key, window.start, window.end), aggregate, old?.value ?? null, timestamp, record.headers);
          }
        }
      },
    };
  };
}
