import type { ProcessorContext, ProcessorSupplier } from '../processor/processor.js';
import type { KeyValue, StreamRecord } from '../record.js';
import type { Change } from '../serde/internal-serdes.js';
import type { RecordHeaders } from '../serde/serde.js';
import type { BufferedSessionStore, TypedFlushListener } from '../state/internal/typed-stores.js';
import type { SessionStore } from '../state/stores.js';
import type { EmitStrategy } from '../windows/emit-strategy.js';
import type { SessionWindows } from '../windows/session-windows.js';
import { type Windowed, windowed } from '../windows/windowed.js';
import type { CachingStore } from './table-forwarder.js';
import type { OldValuesFlag } from './table-processors.js';
import { WindowProgress } from './window-aggregate.js';

type AggregateSessionStore<K, A> = SessionStore<K, A> & CachingStore<A> & Pick<BufferedSessionStore<K, A>, 'findSessionsByEndTime'>;

type SessionUpdate<K, A> = (session: Windowed<K>, newValue: A | null, oldValue: A | null) => void;

/** Whether two session keys are the same session: same window and equal keys (a deserialized key is a copy). */
function sameSession<K>(a: Windowed<K>, b: Windowed<K>): boolean {
  if (a.window.start !== b.window.start || a.window.end !== b.window.end) return false;
  if (Object.is(a.key, b.key)) return true;
  if (typeof a.key !== 'object' || typeof b.key !== 'object' || a.key === null || b.key === null) return false;
  try {
    return JSON.stringify(a.key) === JSON.stringify(b.key);
  } catch {
    return false;
  }
}

/**
 * Forwards session updates as Kafka Streams' session aggregation does: through the store cache
 * when it caches (one update per session per commit), else at once; always stamped with the
 * session's end.
 */
function sessionForwarder<K, A>(
  context: ProcessorContext<Windowed<K>, Change<A>>,
  store: CachingStore<A>,
  sendOldValues: () => boolean,
): SessionUpdate<K, A> {
  const forward = (session: Windowed<K>, newValue: A | null, oldValue: A | null, headers: RecordHeaders) =>
    context.forward({
      key: session,
      value: { newValue, oldValue: sendOldValues() ? oldValue : null },
      timestamp: session.window.end,
      headers,
    });
  if (store.cachingEnabled) {
    const listener: TypedFlushListener<Windowed<K>, A> = (session, newValue, oldValue) =>
      forward(session, newValue ?? null, oldValue ?? null, {});
    store.setFlushListener(listener as TypedFlushListener<never, A>);
    return () => {};
  }
  return (session, newValue, oldValue) => forward(session, newValue, oldValue, {});
}

/**
 * Aggregates a grouped stream into session windows (Kafka Streams' `KStreamSessionWindowAggregate`).
 *
 * Spec: a record at `t` starts the session `[t, t]` and merges every session of its key that ends
 * at or after `t - gap` and starts at or before `t + gap`: the merged session spans the earliest
 * start to the latest end, its aggregate is the merger's fold of theirs (oldest first) plus the
 * record. The merged-away sessions are removed (emit-on-update forwards a tombstone for each). A
 * session is closed once stream time passes its end + gap + grace (`end < streamTime - gap -
 * grace`); a record whose merged session would be closed is dropped as late (counted), as are
 * records with a null key. With emit-on-close each session is emitted once when it closes, by end
 * time. Forwarded records carry the session's end as their timestamp.
 */
export function sessionWindowAggregateProcessor<K, V, A>(
  storeName: string,
  windows: SessionWindows,
  initializer: () => A,
  aggregator: (key: K, value: V, aggregate: A) => A,
  merger: (key: K, aggregate1: A, aggregate2: A) => A,
  emitStrategy: EmitStrategy,
  oldValues: OldValuesFlag,
): ProcessorSupplier<K, V, Windowed<K>, Change<A>> {
  const emitFinal = emitStrategy.type === 'ON_WINDOW_CLOSE';
  const gap = windows.inactivityGapMs;
  return () => {
    let context: ProcessorContext<Windowed<K>, Change<A>>;
    let store: AggregateSessionStore<K, A>;
    let forwardUpdate: SessionUpdate<K, A>;
    const progress = new WindowProgress(storeName);

    /**
     * The sessions that `closeTime` closes and the last emission did not cover, read BEFORE the
     * record's writes: a write can move the store's retention past them (segments are dropped
     * whole), and they must be emitted, not lost with their segment.
     */
    const closedSessions = (closeTime: number): Array<KeyValue<Windowed<K>, A>> => {
      const last = progress.lastEmitCloseTime;
      if (last !== undefined && last >= closeTime) return [];
      // Closed sessions end before closeTime; the previous emission covered ends up to last - 1.
      const upper = closeTime - 1;
      if (upper < 0) return [];
      return [...store.findSessionsByEndTime(Math.max(0, last ?? 0), upper)];
    };

    const emit = (record: StreamRecord<K, V>, closeTime: number, closed: ReadonlyArray<KeyValue<Windowed<K>, A>>) => {
      for (const { key, value } of closed) {
        context.forward({ key, value: { newValue: value, oldValue: null }, timestamp: key.window.end, headers: record.headers });
      }
      if (progress.lastEmitCloseTime === undefined || closeTime > progress.lastEmitCloseTime) progress.lastEmitCloseTime = closeTime;
    };

    return {
      init(ctx) {
        context = ctx;
        progress.init(ctx as ProcessorContext<unknown, unknown>);
        store = ctx.getStateStore(storeName);
        if (!emitFinal) forwardUpdate = sessionForwarder(ctx, store, () => oldValues.enabled);
      },
      process(record) {
        if (record.key === null || record.key === undefined) {
          context.recordDropped('null-key');
          return;
        }
        const t = record.timestamp;
        const closeTime = progress.observe(t) - windows.graceMs - gap;
        const closed = emitFinal ? closedSessions(closeTime) : [];
        // Read before writing: the merge removes sessions from the store being scanned.
        const overlapping: Array<KeyValue<Windowed<K>, A>> = [...store.findSessions(record.key, t - gap, t + gap)];
        let aggregate = initializer();
        let start = t;
        let end = t;
        for (const session of overlapping) {
          aggregate = merger(record.key, aggregate, session.value);
          start = Math.min(start, session.key.window.start);
          end = Math.max(end, session.key.window.end);
        }
        let mergedAway: ReadonlyArray<KeyValue<Windowed<K>, A>> = [];
        if (end < closeTime) {
          context.recordDropped('late');
        } else {
          // A record inside an existing session [t, t] just updates it; anything else replaces the merged sessions.
          if (start !== t || end !== t) {
            mergedAway = overlapping;
            for (const session of overlapping) {
              store.remove(session.key);
              if (!emitFinal) forwardUpdate(session.key, null, session.value);
            }
          }
          aggregate = aggregator(record.key, record.value, aggregate);
          const merged = windowed(record.key, start, end);
          store.put(merged, aggregate);
          if (!emitFinal) forwardUpdate(merged, aggregate, null);
        }
        // A closed session that this record merged into an open one is not final: the merged
        // session is emitted when it closes (Kafka Streams removes it before its emission).
        if (emitFinal) emit(record, closeTime, closed.filter((c) => !mergedAway.some((m) => sameSession(m.key, c.key))));
      },
    };
  };
}
