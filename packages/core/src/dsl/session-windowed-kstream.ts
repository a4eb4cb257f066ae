import { TopologyError } from '../errors.js';
import { sessionWindowAggregateProcessor } from '../processors/session-window-aggregate.js';
import type { OldValuesFlag } from '../processors/table-processors.js';
import { windowedSerde } from '../serde/internal-serdes.js';
import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import type { SessionStore } from '../state/stores.js';
import { EmitStrategy } from '../windows/emit-strategy.js';
import type { SessionWindows } from '../windows/session-windows.js';
import type { Windowed } from '../windows/windowed.js';
import type { Materialized, Named } from './config.js';
import { aggregationInput, type KGroupedStream } from './kgrouped-stream.js';
import { KTable } from './ktable.js';
import type { ValueGetterSupplier } from './value-getter.js';

/** Reads a session aggregate from its session store, stamped with the session end (as Kafka Streams). */
function sessionValueGetter<K, A>(storeName: string): ValueGetterSupplier<Windowed<K>, A> {
  return {
    storeNames: [storeName],
    get(context) {
      const store = context.getStateStore<SessionStore<K, A>>(storeName);
      return (key) => {
        const value = store.fetchSession(key.key, key.window.start, key.window.end);
        return value === undefined ? undefined : { value, timestamp: key.window.end };
      };
    },
  };
}

/** The parts of one session aggregation that differ between count, reduce and aggregate. */
interface SessionAggregation<K, V, A> {
  readonly initializer: () => A;
  readonly aggregator: (key: K, value: V, aggregate: A) => A;
  readonly merger: (key: K, aggregate1: A, aggregate2: A) => A;
  readonly prefix: string;
  readonly defaultValueSerde: Serde<A> | undefined;
}

/**
 * A grouped stream in session windows (Kafka Streams' `SessionWindowedKStream`). Every
 * aggregation is stateful (a session store with a changelog), drops null keys and late records
 * (counted), and returns a table keyed by `Windowed<K>` whose windows are the sessions
 * `[first record, last record]`, both ends inclusive. When a record merges sessions, the merged
 * ones are deleted from the table and the combined session takes their place.
 */
export class SessionWindowedKStream<K, V> {
  private strategy = EmitStrategy.onWindowUpdate();

  /** @internal */
  constructor(
    /** @internal */ readonly grouped: KGroupedStream<K, V>,
    /** @internal */ readonly windows: SessionWindows,
  ) {}

  /**
   * Chooses when results are emitted: on every update (default) or once per session when it
   * closes (stream time past session end + gap + grace).
   * @example .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(300_000)).emitStrategy(EmitStrategy.onWindowClose()).count()
   */
  emitStrategy(strategy: EmitStrategy): this {
    this.strategy = strategy;
    return this;
  }

  /**
   * Counts records per key and session.
   * @param materialized store name, serdes, caching, logging, retention (default and minimum gap + grace)
   * @param named name of the processor node
   * @returns a table of counts per session
   * @throws TopologyError if the retention is shorter than gap + grace
   * @example clicks.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(300_000)).count()
   */
  count(materialized?: Materialized<K, number>, named?: Named): KTable<Windowed<K>, number> {
    return this.build<number>(
      {
        initializer: () => 0,
        aggregator: (_key, _value, n) => n + 1,
        merger: (_key, n1, n2) => n1 + n2,
        prefix: 'KSTREAM-AGGREGATE',
        defaultValueSerde: Serdes.Json<number>(),
      },
      materialized,
      named,
    );
  }

  /**
   * Combines the values of each key and session with `reducer`; merging sessions combines their
   * results with `reducer` too.
   * @param reducer combines an aggregate with a value (or, when sessions merge, two aggregates)
   * @param materialized store name, serdes, caching, logging, retention (default and minimum gap + grace)
   * @param named name of the processor node
   * @returns a table of reduced values per session
   * @throws TopologyError if the retention is shorter than gap + grace
   * @example amounts.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(60_000)).reduce((a, b) => a + b)
   */
  reduce(reducer: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>, named?: Named): KTable<Windowed<K>, V> {
    const first = Symbol('no aggregate yet');
    const isFirst = (aggregate: V) => (aggregate as unknown) === first;
    return this.build<V>(
      {
        initializer: () => first as unknown as V,
        aggregator: (_key, value, aggregate) => (isFirst(aggregate) ? value : reducer(aggregate, value)),
        // Kafka Streams folds sessions into a reduce by reducing their aggregates in store order.
        merger: (_key, aggregate1, aggregate2) => (isFirst(aggregate1) ? aggregate2 : reducer(aggregate1, aggregate2)),
        prefix: 'KSTREAM-REDUCE',
        defaultValueSerde: this.grouped.grouped?.valueSerde ?? this.grouped.stream.valueSerde,
      },
      materialized,
      named,
    );
  }

  /**
   * Folds the values of each key and session into an aggregate, starting from `initializer()`;
   * when a record merges sessions, `merger` combines their aggregates (oldest first) before the
   * record is added.
   * @param initializer the aggregate of a new session
   * @param aggregator adds a value to an aggregate
   * @param merger combines the aggregates of two sessions being merged
   * @param materialized store name, serdes, caching, logging, retention (default and minimum gap + grace)
   * @param named name of the processor node
   * @returns a table of aggregates per session
   * @throws TopologyError if the retention is shorter than gap + grace
   * @example
   * .windowedBy(SessionWindows.ofInactivityGapAndGrace(300_000, 10_000))
   *   .aggregate(() => [], (k, page, pages) => [...pages, page], (k, a, b) => [...a, ...b])
   */
  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    merger: (key: K, aggregate1: A, aggregate2: A) => A,
    materialized?: Materialized<K, A>,
    named?: Named,
  ): KTable<Windowed<K>, A> {
    return this.build({ initializer, aggregator, merger, prefix: 'KSTREAM-AGGREGATE', defaultValueSerde: undefined }, materialized, named);
  }

  private build<A>(
    aggregation: SessionAggregation<K, V, A>,
    materialized: Materialized<K, A> | undefined,
    named: Named | undefined,
  ): KTable<Windowed<K>, A> {
    const { stream } = this.grouped;
    const { builder } = stream;
    const input = aggregationInput(
      stream,
      this.grouped.grouped,
      this.grouped.repartitionRequired,
      materialized?.storeName,
      `${aggregation.prefix}-STATE-STORE`,
    );
    const minimumRetention = this.windows.retentionMs();
    const retentionMs = materialized?.retentionMs ?? minimumRetention;
    if (retentionMs < minimumRetention) {
      throw new TopologyError(
        `store "${input.storeName}" retention ${retentionMs} ms is shorter than inactivity gap + grace (${minimumRetention} ms)`,
        { context: { store: input.storeName } },
      );
    }
    const keySerde = (materialized?.keySerde ?? input.keySerde) as Serde<K>;
    const valueSerde = (materialized?.valueSerde ?? aggregation.defaultValueSerde ?? builder.defaultValueSerde) as Serde<A>;
    const emitFinal = this.strategy.type === 'ON_WINDOW_CLOSE';
    builder.addStore({
      name: input.storeName,
      type: 'session',
      keySerde: keySerde as Serde<unknown>,
      // Plain aggregates, as Kafka Streams' session stores: a session's timestamp is its end.
      valueSerde: valueSerde as Serde<unknown>,
      logging: materialized?.loggingEnabled ?? true,
      // Emit-on-close forwards from the store itself; a cache would only delay it.
      caching: emitFinal ? false : (materialized?.cachingEnabled ?? true),
      retentionMs,
    });
    const oldValues: OldValuesFlag = { enabled: false };
    const supplier = sessionWindowAggregateProcessor(
      input.storeName,
      this.windows,
      aggregation.initializer,
      aggregation.aggregator,
      aggregation.merger,
      this.strategy,
      oldValues,
    );
    const name = builder.name(aggregation.prefix, named);
    builder.addProcessor(name, [input.stream.nodeName], supplier, [input.storeName]);
    return new KTable<Windowed<K>, A>(
      builder,
      name,
      windowedSerde(keySerde),
      valueSerde,
      input.storeName,
      sessionValueGetter<K, A>(input.storeName),
      oldValues,
      // Kafka Streams: suppress(untilWindowCloses) on sessions waits for session end + gap + grace.
      { graceMs: this.windows.inactivityGapMs + this.windows.graceMs, innerKeySerde: keySerde as Serde<unknown> },
    );
  }
}
