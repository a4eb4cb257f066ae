import { KStream, type Serde } from '@weir/core';
import { type ParquetSinkOptions, parquetSink } from './parquet-sink.js';

declare module '@weir/core' {
  interface KStream<K, V> {
    /**
     * Writes the stream into the Parquet table in `dir`, exactly-once: the same as
     * `stream.to(parquetSink(dir, options))` (see {@link parquetSink}), with the stream's own
     * serdes (from `Consumed`, `Grouped`, ...) as the outbox serdes when `options` gives none, so a
     * stream read with Avro serdes derives the table's columns without any option. Terminal.
     * Available once `@weir/parquet` is imported (it adds the method to `KStream`).
     *
     * @param dir the table directory (created by the first commit)
     * @param options as {@link parquetSink}'s; the schema may be derived from the serdes
     * @throws TableError when no schema is given and the serdes carry none
     * @example
     * ```ts
     * import '@weir/parquet';
     * builder.stream('orders', Consumed.with(Serdes.String(), avroSerde<Order>(orderSchema))).toParquet('/data/orders');
     * counts.toStream().mapValues((n) => BigInt(n ?? 0))
     *   .toParquet('/data/counts', { keySerde: windowedKeySerde(Serdes.String()), valueSerde: Serdes.Int64() });
     * ```
     */
    toParquet(dir: string, options?: ParquetSinkOptions<K, V>): void;
  }
}

// The stream's serdes are internal to core (set by `Consumed`, `Grouped`, ...); read them
// defensively so that a core without them still works (the options' or JSON serdes then).
interface StreamSerdes<K, V> {
  readonly keySerde?: Serde<K> | undefined;
  readonly valueSerde?: Serde<V> | undefined;
}

function toParquet<K, V>(this: KStream<K, V>, dir: string, options: ParquetSinkOptions<K, V> = {}): void {
  const own = this as unknown as StreamSerdes<K, V>;
  const keySerde = options.keySerde ?? own.keySerde;
  const valueSerde = options.valueSerde ?? own.valueSerde;
  this.to(
    parquetSink<K, V>(dir, {
      ...options,
      ...(keySerde === undefined ? {} : { keySerde }),
      ...(valueSerde === undefined ? {} : { valueSerde }),
    }),
  );
}

// Installed once, when @weir/parquet is first imported; core stays free of any Parquet code.
if (!Object.hasOwn(KStream.prototype, 'toParquet')) {
  Object.defineProperty(KStream.prototype, 'toParquet', { value: toParquet, writable: true, configurable: true });
}
