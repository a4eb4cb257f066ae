import type { ProcessorContext, ProcessorSupplier } from '../../processor/processor.js';
import type { StreamRecord } from '../../record.js';
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
  /** Name under which both sides persist their shared stream time. */
  readonly progressName: string;
}

type ValueList = unknown[];
type OuterStore<K> = KeyValueStore<TimestampedKeyAndSide<K>, LeftOrRightValue<unknown, unknown>[]>;

/**
 * One side of a windowed stream-stream join (Kafka Streams' `KStreamKStreamJoinLeftSide` /
 * `RightSide` together with the `KStreamJoinWindow` that stores the side's records).
 *
 * Spec:
 * - A left record at `t` joins the right records at `[t - before, t + after]`; a right record at
 *   `t` joins the left records at `[t - after, t + before]`. Each match is forwarded at once with
 *   timestamp `max(t, other)`. Every record is kept (duplicates included) in its side's window store.
 * - Stream time is the largest timestamp either side has seen, persisted with the task. A record
 *   whose own window has closed, `t + after + grace < streamTime` on the left
 *   (`t + before + grace` on the right), is late: dropped and counted.
 * - Left/outer joins (KIP-633 spurious-results fix): a record of an outer side that finds no
 *   partner is not emitted eagerly. It waits in the shared outer store until its window closes and
 *   is then forwarded with `null` for the other side, with its own timestamp, in timestamp order
 *   (right before left at equal timestamps, as Kafka Streams). A later partner removes it.
 *   Closed records are emitted when an in-order record (`t == streamTime`) arrives on either side.
 * - A record with a null key is dropped and counted, except on an outer side where a non-null
 *   value is forwarded at once as a non-joined result (Kafka Streams 3.7+, KIP-962). A record with
 *   a null value is dropped and counted.
 */
export function streamStreamJoinProcessor<K, VL, VR, VOut>(
  options: StreamStreamJoinSideOptions<K, VL, VR, VOut>,
): ProcessorSupplier<K, unknown, K, VOut> {
  const { side, windows, outer, joiner } = options;
  const otherSide: JoinSide = side === 'left' ? 'right' : 'left';
  // How far before / after this side's record the other side's records may lie.
  const lookBefore = side === 'left' ? windows.beforeMs : windows.afterMs;
  const lookAfter = side === 'left' ? windows.afterMs : windows.beforeMs;
  const graceMs = windows.graceMs;
  // Spec: a pending record of side s closes once streamTime > t + (s = left ? after : before) + grace.
  const closesAfter = (s: JoinSide) => (s === 'left' ? windows.afterMs : windows.beforeMs);
  const earliestClose = Math.min(windows.afterMs, windows.beforeMs);

  const join = (key: K, thisValue: unknown, otherValue: unknown): VOut =>
    side === 'left'
      ? joiner(thisValue as VL | null, otherValue as VR | null, key)
      : joiner(otherValue as VL | null, thisValue as VR | null, key);

  return () => {
    let context: ProcessorContext<K, VOut>;
    let thisStore: WindowStore<K, ValueList>;
    let otherStore: WindowStore<K, ValueList>;
    let outerStore: OuterStore<K> | undefined;
    const progress = new WindowProgress(options.progressName);

    /** Forwards, oldest first, the pending records whose window has closed, and forgets them. */
    const emitClosed = (store: OuterStore<K>, record: StreamRecord<K, unknown>, streamTime: number) => {
      const due: Array<{ key: TimestampedKeyAndSide<K>; values: LeftOrRightValue<unknown, unknown>[] }> = [];
      let leftOpen = false;
      let rightOpen = false;
      for (const { key, value } of store.all()) {
        // Entries are in timestamp order: from here on every record's window, of either side, is still open.
        if (key.timestamp + earliestClose + graceMs >= streamTime) break;
        if (key.timestamp + closesAfter(key.side) + graceMs >= streamTime) {
          if (key.side === 'left') leftOpen = true;
          else rightOpen = true;
          if (leftOpen && rightOpen) break;
          continue;
        }
        due.push({ key, values: value });
      }
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
        context = ctx;
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
        if (t + lookAfter + graceMs < streamTime) {
          context.recordDropped('late');
          return;
        }
        if (outerStore && t === streamTime) emitClosed(outerStore, record, streamTime);

        thisStore.put(record.key, [...(thisStore.fetch(record.key, t) ?? []), record.value], t);

        let matched = false;
        for (const { windowStart, value: others } of otherStore.fetchRange(record.key, Math.max(0, t - lookBefore), t + lookAfter)) {
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
        if (!matched && outer && outerStore) {
          const pendingKey: TimestampedKeyAndSide<K> = { timestamp: t, side, key: record.key };
          const pending = { side, value: record.value } as LeftOrRightValue<unknown, unknown>;
          outerStore.put(pendingKey, [...(outerStore.get(pendingKey) ?? []), pending]);
        }
      },
    };
  };
}
