import { TopologyError } from '../../errors.js';
import { streamTableJoinProcessor } from '../../processors/joins/stream-table-join.js';
import type { Serde } from '../../serde/serde.js';
import { type Joined, Named } from '../config.js';
import type { KStream } from '../kstream.js';
import type { KTable } from '../ktable.js';
import type { GlobalKTable } from '../streams-builder.js';
import { storeValueGetter } from '../value-getter.js';
import { checkSameBuilder, registerCopartitionGroup, repartitionForJoin } from './join-support.js';

/**
 * Builds a stream-table join (Kafka Streams' `KStreamImpl.doStreamTableJoin`): one processor
 * after the stream, connected to the stores the table's value getter reads. The stream is
 * repartitioned first if its key may have changed (topic `<joined name or stream node>-repartition`),
 * and the stream and table inputs are registered as a co-partition group.
 */
export function streamTableJoin<K, V, VT, VR>(
  stream: KStream<K, V>,
  table: KTable<K, VT>,
  leftJoin: boolean,
  joiner: (value: V, tableValue: VT | null, key: K) => VR,
  joined: Joined<K, V, VT> | undefined,
): KStream<K, VR> {
  checkSameBuilder(stream, table, leftJoin ? 'leftJoin' : 'join');
  const { builder } = stream;
  const keySerde = (joined?.keySerde ?? stream.keySerde ?? builder.defaultKeySerde) as Serde<K>;
  const input = stream.repartitionRequired
    ? repartitionForJoin(stream, {
        name: joined?.name ?? stream.nodeName,
        keySerde,
        valueSerde: (joined?.valueSerde ?? stream.valueSerde ?? builder.defaultValueSerde) as Serde<V>,
        // Spec (Kafka Streams 3.7+): a left join forwards null-key records, so they pass the topic.
        dropNullKeys: !leftJoin,
      })
    : stream;
  const supplier = streamTableJoinProcessor<K, V, K, VT, VR>({
    lookup: table.valueGetter,
    keyMapper: (key) => key,
    joiner,
    leftJoin,
  });
  const result = input.chain(
    leftJoin ? 'KSTREAM-LEFTJOIN' : 'KSTREAM-JOIN',
    supplier,
    { keySerde: joined?.keySerde ?? input.keySerde, valueSerde: undefined, repartitionRequired: false },
    joined?.name === undefined ? undefined : Named.as(joined.name),
    table.valueGetter.storeNames,
  );
  registerCopartitionGroup(builder, [input.nodeName, table.nodeName]);
  return result;
}

/**
 * Builds a stream-global-table join (Kafka Streams' `KStreamImpl.globalTableJoin`): one processor
 * reading the global store with the key `keySelector` maps each record to. No repartitioning and
 * no co-partitioning: every instance holds the whole table.
 */
export function streamGlobalTableJoin<K, V, KG, VG, VR>(
  stream: KStream<K, V>,
  globalTable: GlobalKTable<KG, VG>,
  leftJoin: boolean,
  keySelector: (key: K, value: V) => KG | null | undefined,
  joiner: (value: V, globalValue: VG | null, key: K) => VR,
  named: Named | undefined,
): KStream<K, VR> {
  if (typeof keySelector !== 'function') {
    throw new TopologyError(`${leftJoin ? 'leftJoin' : 'join'}() with a global table needs a key selector before the joiner`);
  }
  const supplier = streamTableJoinProcessor<K, V, KG, VG, VR>({
    lookup: storeValueGetter<KG, VG>(globalTable.storeName),
    keyMapper: keySelector,
    joiner,
    leftJoin,
  });
  // Kafka Streams names both global joins KSTREAM-LEFTJOIN-...; kept for identical topology names.
  return stream.chain(
    'KSTREAM-LEFTJOIN',
    supplier,
    { keySerde: stream.keySerde, valueSerde: undefined, repartitionRequired: stream.repartitionRequired },
    named,
    [globalTable.storeName],
  );
}
