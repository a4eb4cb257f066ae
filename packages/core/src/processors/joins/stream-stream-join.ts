import type { ProcessorContext, ProcessorSupplier } from '../../processor/processor.js';
import type { StreamRecord } from '../../record.js';
import { internal, type InternalProcessorContext } from '../../runtime/internal-context.js';
import type { KeyValueStore, WindowStore } from '../../state/stores.js';
import type { JoinWindows } from '../../windows/join-windows.js';
import { WindowProgress } from '../window-aggregate.js';
import type { JoinSide, LeftOrRightValue, TimestampedKeyAndSide } from './join-serdes.js';

/** Joins a left and a right value into the result; `null` stands for the missing side of a left/outer result. */
export type StreamStreamJoiner<K, VL, VR, VOut> = (left: VL | null, right: VR | null, key: K) => VOut;

/** One side of a windowed stream-stream join. */
export interface StreamStreamJoinSideOptions<K, VL, VR, VOut> {
  /** The input this processor receives. */
  readonly side: JoinSide;
  /** Window store of this side's records (written here). */
  readonly thisStoreName: string;
  /** Window store of the other side's records (probed here). */
  readonly otherStoreName: string;
  /** Shared store of records still waiting for a partner; present for left and outer joins. */
  readonly outerStoreName: string | undefined;
  readonly windows: JoinWindows;
  /** Whether this side's records without a partner produce a result (left side of a left join, both sides of an outer join). */
  readonly outer: boolean;
  /** The user's joiner, always called as (left, right). */
  readonly joiner: StreamStreamJoiner<K, VL, VR, VOut>;
  /** Name under which both sides persist their shared stream time and outer-store min time. */
  readonly progressName: string;
}

type ValueList = unknown[];
type OuterStore<K> = KeyValueStore<TimestampedKeyAndSide<K>, LeftOrRightValue<unknown, unknown>[]>;

/** Min time after a scan that visited no entry (Kafka Streams' `Long.MAX_VALUE`). */
const NO_MIN_TIME = Number.MAX_SAFE_INTEGER;

/**
 * One side of a windowed stream-stream join (Kafka Streams' `KStreamKStreamJoinLeftSide` /
 * `RightSide` together with the `KStreamJoinWindow` that stores the side's records).
 *
 * Spec:
 * - A left record at `t` joins the right records at `[t - before, t + after]`; a right record at
 *   `t` joins the left records at `[t - after, t + before]` (both bounds clamped at 0). Each match
 *   is forwarded at once with timestamp `max(t, other)`. Every record is kept (duplicates
 *   included) in its side's window store, which retains `before + after + grace` behind the
 *   largest timestamp put into it.
 * - Stream time is the largest timestamp either side has seen, persisted with the task.
 * - Out-of-order records are not dropped by the join (no 'late' drop, as Kafka Streams): a record
 *   of any age joins whatever the other side's store still retains, and its own put is ignored by
 *   its store once it is out of that store's retention.
 * - Left/outer joins (KIP-633 spurious-results fix): a record of an outer side that finds no
 *   partner is forwarded at once with `null` for the other side if its window has already ended
 *   (`t + after < streamTime` on the left, `t + before` on the right); otherwise it waits in the
 *   shared outer store, and a later partner removes it. When an in-order record (`t == streamTime`)
 *   arrives on either side, the waiting records whose window has closed (`t + after + grace <
 *   streamTime` on the left, `t + before + grace` on the right) are forwarded with `null` for the
 *   other side, with their own timestamp and the headers of the arriving record, in timestamp
 *   order (right before left at equal timestamps); the scan stops once a still-open record of
 *   each side has been seen.
 * - The scan is skipped while `minTime + after + grace >= streamTime` (the arriving side's `after`:
 *   `before` on the right side), `minTime` being shared by both sides and persisted with the task:
 *   lowered to `t` by every record put into the outer store, and set by each scan to the
 *   timestamp of the last entry it visited (the entry it stopped at, else the last one), exactly
 *   as Kafka Streams' `TimeTracker.minTime` (with its emit interval 0, as in its tests).
 * - A record with a null key is dropped and counted, except on an outer side where a non-null
 *   value is forwarded at once as a non-joined result (Kafka Streams 3.7+, KIP-962). A record with
 *   a null value is dropped and counted.
 */
export function streamStreamJoinProcessor<K, VL, VR, VOut>(
  options: StreamStreamJoinSideOptions<K, VL, VR, VOut>,
): ProcessorSupplier<K, unknown, K, VOut> {
  const { side, windows, outer, joiner } = options;
  const otherSide: JoinSide = side === 'left' ? 'right' : 'left';
  // Kafka Streams' joinBeforeMs / joinAfterMs: how far before / after this side's record the
  // other side's records may lie.
  const lookBefore = side === 'left' ? windows.beforeMs : windows.afterMs;
  const lookAfter = side === 'left' ? windows.afterMs : windows.beforeMs;
  const graceMs = windows.graceMs;
  // Kafka Streams' outerJoinLookBackTimeMs: a waiting record of side s closes once
  // streamTime > t + (s = left ? after : before) + grace.
  const outerJoinLookBack = (s: JoinSide) => (s === 'left' ? windows.afterMs : windows.beforeMs);
  const minTimeKey = `${options.progressName}.minTime`;

  const join = (key: K, thisValue: unknown, otherValue: unknown): VOut =>
    side === 'left'
      ? joiner(thisValue as VL | null, otherValue as VR | null, key)
      : joiner(otherValue as VL | null, thisValue as VR | null, key);

  return () => {
    let context: InternalProcessorContext<K, VOut>;
    let thisStore: WindowStore<K, ValueList>;
    let otherStore: WindowStore<K, ValueList>;
    let outerStore: OuterStore<K> | undefined;
    const progress = new WindowProgress(options.progressName);

    /**
     * Kafka Streams' `emitNonJoinedOuterRecords`: forwards, oldest first, the waiting records whose
     * window has closed, and forgets them.
     */
    const emitNonJoined = (store: OuterStore<K>, record: StreamRecord<K, unknown>, streamTime: number) => {
      // Only scan if there might be a closed record. No min time yet (Long.MAX_VALUE in Kafka
      // Streams, which overflows in this sum) means scan.
      const minTime = context.processorMetadata(minTimeKey);
      if (minTime !== undefined && minTime + lookAfter + graceMs >= streamTime) return;

      let lastVisited = NO_MIN_TIME;
      const due: Array<{ key: TimestampedKeyAndSide<K>; values: LeftOrRightValue<unknown, unknown>[] }> = [];
      let leftOpen = false;
      let rightOpen = false;
      // Entries in timestamp order, right before left at equal timestamps.
      for (const { key, value } of store.all()) {
        lastVisited = key.timestamp;
        if (leftOpen && rightOpen) break;
        if (key.timestamp + outerJoinLookBack(key.side) + graceMs >= streamTime) {
          // Still open; a later entry of the other side may have closed.
          if (key.side === 'left') leftOpen = true;
          else rightOpen = true;
          continue;
        }
        due.push({ key, values: value });
      }
      context.setProcessorMetadata(minTimeKey, lastVisited);
      for (const { key, values } of due) {
        for (const pending of values) {
          const value =
            pending.side === 'left'
              ? joiner(pending.value as VL, null, key.key)
              : joiner(null, pending.value as VR, key.key);
          context.forward({ key: key.key, value, timestamp: key.timestamp, headers: record.headers });
        }
        store.put(key, null);
      }
    };

    return {
      init(ctx) {
        context = internal(ctx);
        progress.init(ctx as ProcessorContext<unknown, unknown>);
        thisStore = ctx.getStateStore(options.thisStoreName);
        otherStore = ctx.getStateStore(options.otherStoreName);
        if (options.outerStoreName !== undefined) outerStore = ctx.getStateStore<OuterStore<K>>(options.outerStoreName);
      },
      process(record) {
        const t = record.timestamp;
        const streamTime = progress.observe(t);
        if (record.key === null || record.key === undefined) {
          if (outer && record.value !== null && record.value !== undefined) {
            context.forward({ ...record, value: join(record.key, record.value, null) });
          } else {
            context.recordDropped('null-key');
          }
          return;
        }
        if (record.value === null || record.value === undefined) {
          context.recordDropped('null-value');
          return;
        }
        // Kafka Streams' KStreamKStreamJoin: no lateness check here. An out-of-order record joins
        // whatever the other side's store still retains (retention: window size + grace), and its
        // own put is ignored by its store once out of retention.
        if (outerStore && t === streamTime) emitNonJoined(outerStore, record, streamTime);

        thisStore.put(record.key, [...(thisStore.fetch(record.key, t) ?? []), record.value], t);

        const timeFrom = Math.max(0, t - lookBefore);
        const timeTo = Math.max(0, t + lookAfter);
        let matched = false;
        for (const { windowStart, value: others } of otherStore.fetchRange(record.key, timeFrom, timeTo)) {
          if (outerStore) {
            // The partner is joined now: it must never be emitted as a non-joined result.
            const pendingKey: TimestampedKeyAndSide<K> = { timestamp: windowStart, side: otherSide, key: record.key };
            if (outerStore.get(pendingKey) !== undefined) outerStore.put(pendingKey, null);
          }
          for (const other of others) {
            matched = true;
            context.forward({ ...record, value: join(record.key, record.value, other), timestamp: Math.max(t, windowStart) });
          }
        }
        if (!matched && outer) {
          if (!outerStore || timeTo < streamTime) {
            // Its window has already ended: no partner can still arrive in order, emit it now.
            context.forward({ ...record, value: join(record.key, record.value, null) });
            return;
          }
          const minTime = context.processorMetadata(minTimeKey) ?? NO_MIN_TIME;
          context.setProcessorMetadata(minTimeKey, Math.min(minTime, t));
          const pendingKey: TimestampedKeyAndSide<K> = { timestamp: t, side, key: record.key };
          const pending = { side, value: record.value } as LeftOrRightValue<unknown, unknown>;
          outerStore.put(pendingKey, [...(outerStore.get(pendingKey) ?? []), pending]);
        }
      },
    };
  };
}
