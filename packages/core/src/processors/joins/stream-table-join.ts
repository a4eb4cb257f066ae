import type { ValueGetterSupplier } from '../../dsl/value-getter.js';
import type { ProcessorContext, ProcessorSupplier } from '../../processor/processor.js';
import type { ValueAndTimestamp } from '../../state/stores.js';

/** Options of a stream-table or stream-global-table join processor. */
export interface StreamTableJoinOptions<K, V, KT, VT, VOut> {
  /** Reads the table's current value of a key. */
  readonly lookup: ValueGetterSupplier<KT, VT>;
  /** The table key to look up for a stream record (identity for a KTable). */
  readonly keyMapper: (key: K, value: V) => KT | null | undefined;
  readonly joiner: (value: V, tableValue: VT | null, key: K) => VOut;
  /** Forward records without a table match, with `null` for the table value. */
  readonly leftJoin: boolean;
}

/**
 * Joins each stream record with the table's current value of its (mapped) key (Kafka Streams'
 * `KStreamKTableJoinProcessor`, behind both `KStreamKTableJoin` and `KStreamGlobalKTableJoin`).
 * Table updates trigger nothing; only stream records produce output, with their own timestamp.
 *
 * Spec (Kafka Streams 3.7+):
 * - a record with a null value is dropped and counted;
 * - a record whose mapped key is null is dropped and counted, except in a left join when the
 *   record's own key is null: it is forwarded with a `null` table value (KIP-962);
 * - an inner join drops a record whose key the table does not hold; a left join forwards it
 *   with a `null` table value.
 */
export function streamTableJoinProcessor<K, V, KT, VT, VOut>(
  options: StreamTableJoinOptions<K, V, KT, VT, VOut>,
): ProcessorSupplier<K, V, K, VOut> {
  const { keyMapper, joiner, leftJoin } = options;
  return () => {
    let context: ProcessorContext<K, VOut>;
    let lookup: (key: KT) => ValueAndTimestamp<VT> | undefined;
    return {
      init(ctx) {
        context = ctx;
        lookup = options.lookup.get(ctx as ProcessorContext<unknown, unknown>);
      },
      process(record) {
        if (record.value === null || record.value === undefined) {
          context.recordDropped('null-value');
          return;
        }
        const keyIsNull = record.key === null || record.key === undefined;
        const mapped = keyMapper(record.key, record.value);
        const mappedIsNull = mapped === null || mapped === undefined;
        if (mappedIsNull && !(leftJoin && keyIsNull)) {
          context.recordDropped('null-key');
          return;
        }
        const tableValue = mappedIsNull ? null : (lookup(mapped as KT)?.value ?? null);
        if (tableValue === null && !leftJoin) return;
        context.forward({ ...record, value: joiner(record.value, tableValue, record.key) });
      },
    };
  };
}

