import type { Serde } from '../serde/serde.js';
import type { StreamPartitioner, TimestampExtractor } from '../topology/graph.js';

/** How a source topic is read (Kafka Streams' `Consumed`). */
export class Consumed<K, V> {
  private constructor(
    readonly keySerde?: Serde<K>,
    readonly valueSerde?: Serde<V>,
    readonly timestampExtractor?: TimestampExtractor<K, V>,
    readonly name?: string,
  ) {}

  /** Reads keys and values with these serdes. */
  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Consumed<K, V> {
    return new Consumed(keySerde, valueSerde);
  }

  /** Names the source node. */
  static as<K, V>(name: string): Consumed<K, V> {
    return new Consumed<K, V>(undefined, undefined, undefined, name);
  }

  /** Takes event time from the record with `extractor` instead of the record timestamp. */
  withTimestampExtractor(extractor: TimestampExtractor<K, V>): Consumed<K, V> {
    return new Consumed(this.keySerde, this.valueSerde, extractor, this.name);
  }

  /** Names the source node. */
  withName(name: string): Consumed<K, V> {
    return new Consumed(this.keySerde, this.valueSerde, this.timestampExtractor, name);
  }
}

/** How records are written to a topic (Kafka Streams' `Produced`). */
export class Produced<K, V> {
  private constructor(
    readonly keySerde?: Serde<K>,
    readonly valueSerde?: Serde<V>,
    readonly partitioner?: StreamPartitioner<K, V>,
    readonly name?: string,
  ) {}

  /** Writes keys and values with these serdes. */
  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Produced<K, V> {
    return new Produced(keySerde, valueSerde);
  }

  /** Names the sink node. */
  static as<K, V>(name: string): Produced<K, V> {
    return new Produced<K, V>(undefined, undefined, undefined, name);
  }

  /** Chooses partitions with `partitioner` instead of hashing the serialized key. */
  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced(this.keySerde, this.valueSerde, partitioner, this.name);
  }

  /** Names the sink node. */
  withName(name: string): Produced<K, V> {
    return new Produced(this.keySerde, this.valueSerde, this.partitioner, name);
  }
}

/** How a state store is materialized (Kafka Streams' `Materialized`). */
export class Materialized<K, V> {
  private constructor(
    readonly storeName?: string,
    readonly keySerde?: Serde<K>,
    readonly valueSerde?: Serde<V>,
    /** Cache updates per commit (default true). */
    readonly cachingEnabled: boolean = true,
    /** Back the store by a changelog topic (default true). */
    readonly loggingEnabled: boolean = true,
    /** Window and session stores: retention, at least window size + grace (default size + grace). */
    readonly retentionMs?: number,
  ) {}

  /** A store named `storeName` (queryable under that name; its changelog is `<app>-<storeName>-changelog`). */
  static as<K, V>(storeName: string): Materialized<K, V> {
    if (!storeName) throw new RangeError('store name must not be empty');
    return new Materialized<K, V>(storeName);
  }

  /** An unnamed store with these serdes. */
  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Materialized<K, V> {
    return new Materialized<K, V>(undefined, keySerde, valueSerde);
  }

  withKeySerde(keySerde: Serde<K>): Materialized<K, V> {
    return this.copy({ keySerde });
  }

  withValueSerde(valueSerde: Serde<V>): Materialized<K, V> {
    return this.copy({ valueSerde });
  }

  /** Forwards every update at once instead of deduplicating per commit. */
  withCachingDisabled(): Materialized<K, V> {
    return this.copy({ cachingEnabled: false });
  }

  withCachingEnabled(): Materialized<K, V> {
    return this.copy({ cachingEnabled: true });
  }

  /** No changelog: the store is lost with the instance (not restorable). */
  withLoggingDisabled(): Materialized<K, V> {
    return this.copy({ loggingEnabled: false });
  }

  /** Keeps windows this long (window and session stores). */
  withRetention(retentionMs: number): Materialized<K, V> {
    return this.copy({ retentionMs });
  }

  private copy(changes: Partial<Materialized<K, V>>): Materialized<K, V> {
    const next = { ...this, ...changes };
    return new Materialized<K, V>(
      next.storeName,
      next.keySerde,
      next.valueSerde,
      next.cachingEnabled,
      next.loggingEnabled,
      next.retentionMs,
    );
  }
}

/** How a stream is grouped, i.e. serdes and name of the repartition topic (Kafka Streams' `Grouped`). */
export class Grouped<K, V> {
  private constructor(
    readonly keySerde?: Serde<K>,
    readonly valueSerde?: Serde<V>,
    readonly name?: string,
  ) {}

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Grouped<K, V> {
    return new Grouped(keySerde, valueSerde);
  }

  /** Names the repartition topic `<app>-<name>-repartition`. */
  static as<K, V>(name: string): Grouped<K, V> {
    return new Grouped<K, V>(undefined, undefined, name);
  }

  withName(name: string): Grouped<K, V> {
    return new Grouped(this.keySerde, this.valueSerde, name);
  }
}

/** How a stream is repartitioned (Kafka Streams' `Repartitioned`). */
export class Repartitioned<K, V> {
  private constructor(
    readonly keySerde?: Serde<K>,
    readonly valueSerde?: Serde<V>,
    readonly name?: string,
    readonly numberOfPartitions?: number,
    readonly partitioner?: StreamPartitioner<K, V>,
  ) {}

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Repartitioned<K, V> {
    return new Repartitioned(keySerde, valueSerde);
  }

  static as<K, V>(name: string): Repartitioned<K, V> {
    return new Repartitioned<K, V>(undefined, undefined, name);
  }

  withName(name: string): Repartitioned<K, V> {
    return new Repartitioned(this.keySerde, this.valueSerde, name, this.numberOfPartitions, this.partitioner);
  }

  withNumberOfPartitions(count: number): Repartitioned<K, V> {
    return new Repartitioned(this.keySerde, this.valueSerde, this.name, count, this.partitioner);
  }

  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Repartitioned<K, V> {
    return new Repartitioned(this.keySerde, this.valueSerde, this.name, this.numberOfPartitions, partitioner);
  }
}

/** A name for a processor node (Kafka Streams' `Named`). */
export class Named {
  private constructor(readonly name: string) {}

  static as(name: string): Named {
    if (!name) throw new RangeError('a node name must not be empty');
    return new Named(name);
  }
}

/** Serdes of a stream-table join's inputs (Kafka Streams' `Joined`). */
export class Joined<K, V, VO> {
  private constructor(
    readonly keySerde?: Serde<K>,
    readonly valueSerde?: Serde<V>,
    readonly otherValueSerde?: Serde<VO>,
    readonly name?: string,
  ) {}

  static with<K, V, VO>(keySerde: Serde<K>, valueSerde: Serde<V>, otherValueSerde: Serde<VO>): Joined<K, V, VO> {
    return new Joined(keySerde, valueSerde, otherValueSerde);
  }

  static as<K, V, VO>(name: string): Joined<K, V, VO> {
    return new Joined<K, V, VO>(undefined, undefined, undefined, name);
  }
}

/** Serdes and store names of a stream-stream join (Kafka Streams' `StreamJoined`). */
export class StreamJoined<K, V, VO> {
  private constructor(
    readonly keySerde?: Serde<K>,
    readonly valueSerde?: Serde<V>,
    readonly otherValueSerde?: Serde<VO>,
    readonly storeName?: string,
    readonly loggingEnabled: boolean = true,
  ) {}

  static with<K, V, VO>(keySerde: Serde<K>, valueSerde: Serde<V>, otherValueSerde: Serde<VO>): StreamJoined<K, V, VO> {
    return new StreamJoined(keySerde, valueSerde, otherValueSerde);
  }

  /** Names the join's stores `<name>-this-join-store` and `<name>-other-join-store`. */
  withStoreName(storeName: string): StreamJoined<K, V, VO> {
    return new StreamJoined(this.keySerde, this.valueSerde, this.otherValueSerde, storeName, this.loggingEnabled);
  }

  withLoggingDisabled(): StreamJoined<K, V, VO> {
    return new StreamJoined(this.keySerde, this.valueSerde, this.otherValueSerde, this.storeName, false);
  }
}
