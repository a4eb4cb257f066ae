import type { ValueGetterSupplier } from '../../dsl/value-getter.js';
import type { ProcessorContext, ProcessorSupplier } from '../../processor/processor.js';
import { withRecord } from '../../record.js';
import type { Change } from '../../serde/internal-serdes.js';
import type { ValueAndTimestamp } from '../../state/stores.js';
import type { OldValuesFlag } from '../table-processors.js';

/** Joins a left and a right table value; `null` stands for a missing side of a left/outer result. */
export type TableTableJoiner<K, VL, VR, VOut> = (left: VL | null, right: VR | null, key: K) => VOut;

/** Which sides of a table-table join produce a result on their own. */
export interface TableJoinShape {
  /** A left value without a right one joins with `null` (left and outer joins). */
  readonly leftOuter: boolean;
  /** A right value without a left one joins with `null` (outer joins). */
  readonly rightOuter: boolean;
}

/** Whether the join holds a result for this pair of (possibly absent) values. */
function resultExists(shape: TableJoinShape, left: unknown, right: unknown): boolean {
  if (left !== null && right !== null) return true;
  return (left !== null && shape.leftOuter) || (right !== null && shape.rightOuter);
}

/** One side of a table-table join. */
export interface TableTableJoinSideOptions<K, VL, VR, VOut> {
  /** The input this processor receives. */
  readonly side: 'left' | 'right';
  readonly shape: TableJoinShape;
  /** Reads the other table's current values. */
  readonly other: ValueGetterSupplier<K, unknown>;
  /** The user's joiner, always called as (left, right). */
  readonly joiner: TableTableJoiner<K, VL, VR, VOut>;
  /** Whether the join result must carry old values (set at build time by consumers of the result). */
  readonly oldValues: OldValuesFlag;
}

/**
 * One side of a table-table join (Kafka Streams' `KTableKTableInnerJoin`, `LeftJoin`,
 * `RightJoin` and `OuterJoin` processors): on an update of this side, reads the other side's
 * current value and forwards the change of the join result.
 *
 * Spec: the new result joins the update's new value with the other side's value, the old result
 * (when old values are on) its old value; a side that is absent joins as `null` only where the
 * join type keeps it (left/outer), and a result that exists neither before nor after is not sent.
 * A result that disappears is forwarded as a `null` new value (a tombstone). The result's
 * timestamp is the larger of the update's and the other side's. Updates with a null key are
 * dropped and counted.
 */
export function tableTableJoinProcessor<K, VL, VR, VOut>(
  options: TableTableJoinSideOptions<K, VL, VR, VOut>,
): ProcessorSupplier<K, Change<unknown>, K, Change<VOut>> {
  const { side, shape, joiner, oldValues } = options;
  // Whether this side's value alone (the other side absent) keeps a result.
  const thisOuter = side === 'left' ? shape.leftOuter : shape.rightOuter;
  const result = (thisValue: unknown, otherValue: unknown, key: K): VOut | null => {
    const [left, right] = side === 'left' ? [thisValue, otherValue] : [otherValue, thisValue];
    return resultExists(shape, left, right) ? joiner(left as VL | null, right as VR | null, key) : null;
  };
  return () => {
    let context: ProcessorContext<K, Change<VOut>>;
    let other: (key: K) => ValueAndTimestamp<unknown> | undefined;
    return {
      init(ctx) {
        context = ctx;
        other = options.other.get(ctx as ProcessorContext<unknown, unknown>);
      },
      process(record) {
        if (record.key === null || record.key === undefined) {
          context.recordDropped('null-key');
          return;
        }
        const { newValue, oldValue } = record.value;
        const found = other(record.key);
        const otherValue = found?.value ?? null;
        if (otherValue === null) {
          // Without the other side only an outer side has a result, and only if it had or has a value.
          if (!thisOuter || (newValue === null && oldValue === null)) return;
        }
        const change: Change<VOut> = {
          newValue: result(newValue, otherValue, record.key),
          oldValue: oldValues.enabled ? result(oldValue, otherValue, record.key) : null,
        };
        const timestamp = found && otherValue !== null ? Math.max(record.timestamp, found.timestamp) : record.timestamp;
        context.forward(withRecord(record, { value: change, timestamp }));
      },
    };
  };
}

/**
 * Merges the two sides' results into the result table's changes (Kafka Streams'
 * `KTableKTableJoinMerger`): old values are passed on only when a consumer needs them.
 */
export function tableJoinMergeProcessor<K, V>(oldValues: OldValuesFlag): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  return () => {
    let context: ProcessorContext<K, Change<V>>;
    return {
      init(ctx) {
        context = ctx;
      },
      process(record) {
        context.forward(oldValues.enabled ? record : withRecord(record, { value: { newValue: record.value.newValue, oldValue: null } }));
      },
    };
  };
}

/**
 * The join result's value getter: joins the two tables' current values (Kafka Streams'
 * `KTableKTable*JoinValueGetter`), with the larger of their timestamps.
 */
export function joinedValueGetter<K, VL, VR, VOut>(
  left: ValueGetterSupplier<K, VL>,
  right: ValueGetterSupplier<K, VR>,
  shape: TableJoinShape,
  joiner: TableTableJoiner<K, VL, VR, VOut>,
): ValueGetterSupplier<K, VOut> {
  return {
    storeNames: [...new Set([...left.storeNames, ...right.storeNames])],
    get(context) {
      const readLeft = left.get(context);
      const readRight = right.get(context);
      return (key) => {
        const l = readLeft(key);
        const r = readRight(key);
        const lv = l?.value ?? null;
        const rv = r?.value ?? null;
        if (!resultExists(shape, lv, rv)) return undefined;
        return { value: joiner(lv, rv, key), timestamp: Math.max(l?.timestamp ?? -1, r?.timestamp ?? -1) };
      };
    },
  };
}
