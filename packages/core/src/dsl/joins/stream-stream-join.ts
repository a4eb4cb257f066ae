import { TopologyError } from '../../errors.js';
import { leftOrRightValueSerde, timestampedKeyAndSideSerde, valueListSerde } from '../../processors/joins/join-serdes.js';
import { type StreamStreamJoiner, streamStreamJoinProcessor } from '../../processors/joins/stream-stream-join.js';
import { passThroughProcessor } from '../../processors/stateless.js';
import type { Serde } from '../../serde/serde.js';
import type { StoreDefinition } from '../../topology/store-definition.js';
import { JoinWindows } from '../../windows/join-windows.js';
import type { StreamJoined } from '../config.js';
import { KStream } from '../kstream.js';
import { checkSameBuilder, registerCopartitionGroup, repartitionForJoin } from './join-support.js';

/** Inner, left or outer: which sides keep their records without a partner. */
export type JoinKind = 'inner' | 'left' | 'outer';

/**
 * Builds a windowed stream-stream join (Kafka Streams' `KStreamImplJoin`):
 *
 * `left -> JOINTHIS(this store, probes other store) \`
 * `                                                  -> MERGE`
 * `right -> JOINOTHER(other store, probes this store) /`
 *
 * Stores (named as Kafka Streams names them): `<storeName>-this-join-store` and
 * `<storeName>-other-join-store` (`-outer-this-join-store` / `-outer-other-join-store` on outer
 * sides), and for left/outer joins the shared store of records awaiting a partner,
 * `<storeName>-left-shared-join-store` / `<storeName>-outer-shared-join-store`. Without a store
 * name they are named after the join processors. Inputs whose key may have changed are
 * repartitioned first, and both inputs are registered as a co-partition group.
 */
export function windowedStreamJoin<K, V, VO, VR>(
  left: KStream<K, V>,
  right: KStream<K, VO>,
  kind: JoinKind,
  joiner: StreamStreamJoiner<K, V, VO, VR>,
  windows: JoinWindows,
  streamJoined: StreamJoined<K, V, VO> | undefined,
): KStream<K, VR> {
  const operator = kind === 'inner' ? 'join' : `${kind}Join`;
  checkSameBuilder(left, right, operator);
  if (!(windows instanceof JoinWindows)) {
    throw new TopologyError(`${operator}() of two streams needs JoinWindows, e.g. JoinWindows.ofTimeDifferenceWithNoGrace(5_000)`);
  }
  const { builder } = left;
  const leftOuter = kind !== 'inner';
  const rightOuter = kind === 'outer';
  const keySerde = (streamJoined?.keySerde ?? left.keySerde ?? builder.defaultKeySerde) as Serde<K>;
  const thisValueSerde = (streamJoined?.valueSerde ?? left.valueSerde ?? builder.defaultValueSerde) as Serde<V>;
  const otherValueSerde = (streamJoined?.otherValueSerde ?? right.valueSerde ?? builder.defaultValueSerde) as Serde<VO>;

  // Spec (Kafka Streams 3.7+): null keys travel through the repartition topic of an outer side,
  // where the join forwards them as non-joined results; elsewhere they are dropped before it.
  const thisInput = left.repartitionRequired
    ? repartitionForJoin(left, { name: left.nodeName, keySerde, valueSerde: thisValueSerde, dropNullKeys: !leftOuter })
    : left;
  const otherInput = right.repartitionRequired
    ? repartitionForJoin(right, { name: right.nodeName, keySerde, valueSerde: otherValueSerde, dropNullKeys: !rightOuter })
    : right;

  const thisPrefix = rightOuter ? 'KSTREAM-OUTERTHIS' : 'KSTREAM-JOINTHIS';
  const joinThisName = builder.name(thisPrefix);
  const joinOtherName = builder.name(leftOuter ? 'KSTREAM-OUTEROTHER' : 'KSTREAM-JOINOTHER');
  const mergeName = builder.name('KSTREAM-MERGE');

  const base = streamJoined?.storeName;
  const thisStoreName = base === undefined ? `${joinThisName}-store` : `${base}${rightOuter ? '-outer-this-join' : '-this-join'}-store`;
  const otherStoreName = base === undefined ? `${joinOtherName}-store` : `${base}${leftOuter ? '-outer-other-join' : '-other-join'}-store`;
  let outerStoreName: string | undefined;
  if (leftOuter) {
    outerStoreName =
      base === undefined
        ? `KSTREAM-OUTERSHARED-${joinThisName.slice(thisPrefix.length + 1)}-store`
        : `${base}${rightOuter ? '-outer-shared-join' : '-left-shared-join'}-store`;
  }

  const logging = streamJoined?.loggingEnabled ?? true;
  const windowStore = (name: string, valueSerde: Serde<unknown>): StoreDefinition => ({
    name,
    type: 'window',
    keySerde: keySerde as Serde<unknown>,
    valueSerde: valueListSerde(valueSerde) as Serde<unknown>,
    logging,
    caching: false,
    // Kafka Streams' join stores: retention before + after + grace, window size before + after.
    retentionMs: windows.sizeMs() + windows.graceMs,
    windowSizeMs: windows.sizeMs(),
  });
  builder.addStore(windowStore(thisStoreName, thisValueSerde as Serde<unknown>));
  builder.addStore(windowStore(otherStoreName, otherValueSerde as Serde<unknown>));
  if (outerStoreName !== undefined) {
    builder.addStore({
      name: outerStoreName,
      type: 'keyValue',
      keySerde: timestampedKeyAndSideSerde(keySerde) as Serde<unknown>,
      valueSerde: valueListSerde(leftOrRightValueSerde(thisValueSerde, otherValueSerde)) as Serde<unknown>,
      logging,
      caching: false,
    });
  }

  const stores = [thisStoreName, otherStoreName, ...(outerStoreName === undefined ? [] : [outerStoreName])];
  const common = { windows, joiner, outerStoreName, progressName: thisStoreName };
  builder.addProcessor(
    joinThisName,
    [thisInput.nodeName],
    streamStreamJoinProcessor({ ...common, side: 'left', thisStoreName, otherStoreName, outer: leftOuter }),
    stores,
  );
  builder.addProcessor(
    joinOtherName,
    [otherInput.nodeName],
    streamStreamJoinProcessor({ ...common, side: 'right', thisStoreName: otherStoreName, otherStoreName: thisStoreName, outer: rightOuter }),
    stores,
  );
  builder.addProcessor(mergeName, [joinThisName, joinOtherName], passThroughProcessor<K, VR>());
  registerCopartitionGroup(builder, [thisInput.nodeName, otherInput.nodeName]);

  // Kafka Streams does not guess the result's key serde from two inputs that may differ.
  const resultKeySerde = streamJoined?.keySerde ?? (left.keySerde === right.keySerde ? left.keySerde : undefined);
  return new KStream<K, VR>(builder, mergeName, resultKeySerde, undefined, false);
}
