import { TopologyError } from '../errors.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import { slidingWindowAggregateProcessor } from '../processors/sliding-window-aggregate.js';
import type { OldValuesFlag } from '../processors/table-processors.js';
import { windowAggregateProcessor } from '../processors/window-aggregate.js';
import type { Change } from '../serde/internal-serdes.js';
import { timestampedSerde, windowedSerde } from '../serde/internal-serdes.js';
import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import type { ValueAndTimestamp, WindowStore } from '../state/stores.js';
import { EmitStrategy } from '../windows/emit-strategy.js';
import { SlidingWindows } from '../windows/sliding-windows.js';
import type { TimeWindows } from '../windows/time-windows.js';
import type { Windowed } from '../windows/windowed.js';
import type { Materialized, Named } from './config.js';
import { aggregationInput, type KGroupedStream } from './kgrouped-stream.js';
import { KTable } from './ktable.js';
import type { ValueGetterSupplier } from './value-getter.js';

/** Reads a windowed aggregate from its window store, for joins on windowed tables. */
function windowValueGetter<K, A>(storeName: string): ValueGetterSupplier<Windowed<K>, A> {
  return {
    storeNames: [storeName],
    get(context) {
      const store = context.getStateStore<WindowStore<K, ValueAndTimestamp<A>>>(storeName);
      return (key) => store.fetch(key.key, key.window.start);
    },
  };
}

/**
 * A grouped stream in time or sliding windows (Kafka Streams' `TimeWindowedKStream`). Every
 * aggregation is stateful (a window store with a changelog), drops null keys and late records
 * (counted), and returns a table keyed by `Windowed<K>`.
 */
export class TimeWindowedKStream<K, V> {
  private strategy = EmitStrategy.onWindowUpdate();

  /** @internal */
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    private readonly windows: TimeWindows | SlidingWindows,
  ) {}

  /**
   * Chooses when results are emitted: on every update (default) or once per window on close.
   * @example .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000)).emitStrategy(EmitStrategy.onWindowClose()).count()
   */
  emitStrategy(strategy: EmitStrategy): this {
    this.strategy = strategy;
    return this;
  }

  /**
   * Counts records per key and window.
   * @example clicks.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count()
   */
  count(materialized?: Materialized<K, number>, named?: Named): KTable<Windowed<K>, number> {
    return this.build<number>(() => 0, (_k, _v, n) => n + 1, materialized, named, 'KSTREAM-AGGREGATE', Serdes.Json<number>());
  }

  /**
   * Combines the values of each key and window with `reducer`.
   * @example amounts.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).reduce((a, b) => a + b)
   */
  reduce(reducer: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>, named?: Named): KTable<Windowed<K>, V> {
    const first = Symbol('no aggregate yet');
    return this.build<V>(
      () => first as unknown as V,
      (_key, value, aggregate) => ((aggregate as unknown) === first ? value : reducer(aggregate, value)),
      materialized,
      named,
      'KSTREAM-REDUCE',
      this.grouped.grouped?.valueSerde ?? this.grouped.stream.valueSerde,
    );
  }

  /**
   * Folds the values of each key and window into an aggregate.
   * @example .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10_000)).aggregate(() => 0, (k, v, sum) => sum + v)
   */
  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    materialized?: Materialized<K, A>,
    named?: Named,
  ): KTable<Windowed<K>, A> {
    return this.build(initializer, aggregator, materialized, named, 'KSTREAM-AGGREGATE', undefined);
  }

  private build<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    materialized: Materialized<K, A> | undefined,
    named: Named | undefined,
    prefix: string,
    defaultValueSerde: Serde<A> | undefined,
  ): KTable<Windowed<K>, A> {
    const { stream } = this.grouped;
    const { builder } = stream;
    const input = aggregationInput(
      stream,
      this.grouped.grouped,
      this.grouped.repartitionRequired,
      materialized?.storeName,
      `${prefix}-STATE-STORE`,
    );
    const windowSizeMs = this.windows instanceof SlidingWindows ? this.windows.timeDifferenceMs : this.windows.sizeMs;
    const minimumRetention = this.windows.retentionMs();
    const retentionMs = materialized?.retentionMs ?? minimumRetention;
    if (retentionMs < minimumRetention) {
      throw new TopologyError(
        `store "${input.storeName}" retention ${retentionMs} ms is shorter than ${this.windows instanceof SlidingWindows ? '2 * time difference' : 'window size'} + grace (${minimumRetention} ms)`,
        { context: { store: input.storeName } },
      );
    }
    const keySerde = (materialized?.keySerde ?? input.keySerde) as Serde<K>;
    const valueSerde = (materialized?.valueSerde ?? defaultValueSerde ?? builder.defaultValueSerde) as Serde<A>;
    const emitFinal = this.strategy.type === 'ON_WINDOW_CLOSE';
    builder.addStore({
      name: input.storeName,
      type: 'window',
      keySerde: keySerde as Serde<unknown>,
      valueSerde: timestampedSerde(valueSerde) as Serde<unknown>,
      logging: materialized?.loggingEnabled ?? true,
      // Emit-on-close forwards from the store itself; a cache would only delay it.
      caching: emitFinal ? false : (materialized?.cachingEnabled ?? true),
      retentionMs,
      // Sliding windows are [start, start + timeDifference] with an inclusive end, as Kafka Streams shows them.
      windowSizeMs,
    });
    const oldValues: OldValuesFlag = { enabled: false };
    const supplier: ProcessorSupplier<K, V, Windowed<K>, Change<A>> =
      this.windows instanceof SlidingWindows
        ? slidingWindowAggregateProcessor(input.storeName, this.windows, initializer, aggregator, this.strategy, oldValues)
        : windowAggregateProcessor(input.storeName, this.windows, initializer, aggregator, this.strategy, oldValues);
    const name = builder.name(prefix, named);
    builder.addProcessor(name, [input.stream.nodeName], supplier, [input.storeName]);
    return new KTable<Windowed<K>, A>(
      builder,
      name,
      windowedSerde(keySerde),
      valueSerde,
      input.storeName,
      windowValueGetter<K, A>(input.storeName),
      oldValues,
      { graceMs: this.windows.graceMs, innerKeySerde: keySerde as Serde<unknown> },
    );
  }
}
