import type { Processor, ProcessorContext, ProcessorSupplier } from '../processor/processor.js';
import { type KeyValue, type StreamRecord, withRecord } from '../record.js';

/**
 * Stateless record-at-a-time processors behind KStream's operators. Each runs synchronously and
 * forwards zero or more records per input, keeping the input's timestamp and headers.
 */

/** A processor that only needs `process` and a context to forward to. */
function forwarding<KIn, VIn, KOut, VOut>(
  body: (record: StreamRecord<KIn, VIn>, forward: (record: StreamRecord<KOut, VOut>, child?: string) => void) => void,
): ProcessorSupplier<KIn, VIn, KOut, VOut> {
  return () => {
    let context: ProcessorContext<KOut, VOut>;
    const forward = (record: StreamRecord<KOut, VOut>, child?: string) => context.forward(record, child);
    const processor: Processor<KIn, VIn, KOut, VOut> = {
      init(ctx) {
        context = ctx;
      },
      process(record) {
        body(record, forward);
      },
    };
    return processor;
  };
}

export function filterProcessor<K, V>(predicate: (key: K, value: V) => boolean, negate: boolean): ProcessorSupplier<K, V, K, V> {
  return forwarding((record, forward) => {
    if (predicate(record.key, record.value) !== negate) forward(record);
  });
}

export function mapProcessor<K, V, K2, V2>(mapper: (key: K, value: V) => KeyValue<K2, V2>): ProcessorSupplier<K, V, K2, V2> {
  return forwarding((record, forward) => {
    const out = mapper(record.key, record.value);
    forward(withRecord(record, { key: out.key, value: out.value }));
  });
}

export function mapValuesProcessor<K, V, V2>(mapper: (value: V, key: K) => V2): ProcessorSupplier<K, V, K, V2> {
  return forwarding((record, forward) => forward(withRecord(record, { value: mapper(record.value, record.key) })));
}

export function flatMapProcessor<K, V, K2, V2>(
  mapper: (key: K, value: V) => Iterable<KeyValue<K2, V2>>,
): ProcessorSupplier<K, V, K2, V2> {
  return forwarding((record, forward) => {
    for (const out of mapper(record.key, record.value)) forward(withRecord(record, { key: out.key, value: out.value }));
  });
}

export function flatMapValuesProcessor<K, V, V2>(mapper: (value: V, key: K) => Iterable<V2>): ProcessorSupplier<K, V, K, V2> {
  return forwarding((record, forward) => {
    for (const value of mapper(record.value, record.key)) forward(withRecord(record, { value }));
  });
}

export function selectKeyProcessor<K, V, K2>(selector: (key: K, value: V) => K2): ProcessorSupplier<K, V, K2, V> {
  return forwarding((record, forward) => forward(withRecord(record, { key: selector(record.key, record.value) })));
}

/** Calls `action` for every record; forwards it unchanged when `passThrough` (peek) and not at all otherwise (foreach). */
export function peekProcessor<K, V>(action: (key: K, value: V) => void, passThrough: boolean): ProcessorSupplier<K, V, K, V> {
  return forwarding((record, forward) => {
    action(record.key, record.value);
    if (passThrough) forward(record);
  });
}

/** Forwards every record unchanged (merge, repartition bridges). */
export function passThroughProcessor<K, V>(): ProcessorSupplier<K, V, K, V> {
  return forwarding((record, forward) => forward(record));
}

/**
 * Sends each record to the first branch whose predicate holds (Kafka Streams' `split()`), or to
 * the default branch, or drops it when there is none.
 */
export function branchProcessor<K, V>(
  branches: ReadonlyArray<{ readonly child: string; readonly predicate: (key: K, value: V) => boolean }>,
  defaultChild: string | undefined,
): ProcessorSupplier<K, V, K, V> {
  return forwarding((record, forward) => {
    for (const branch of branches) {
      if (branch.predicate(record.key, record.value)) {
        forward(record, branch.child);
        return;
      }
    }
    if (defaultChild !== undefined) forward(record, defaultChild);
  });
}
