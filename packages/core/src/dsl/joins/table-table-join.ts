import {
  joinedValueGetter,
  type TableJoinShape,
  type TableTableJoiner,
  tableJoinMergeProcessor,
  tableTableJoinProcessor,
} from '../../processors/joins/table-table-join.js';
import type { OldValuesFlag } from '../../processors/table-processors.js';
import type { Materialized, Named } from '../config.js';
import { KTable } from '../ktable.js';
import { checkSameBuilder, registerCopartitionGroup } from './join-support.js';
import type { JoinKind } from './stream-stream-join.js';

/**
 * Builds a table-table join (Kafka Streams' `KTableImpl.doJoin`):
 *
 * `left -> JOINTHIS(reads right's getter) \`
 * `                                        -> MERGE [-> MATERIALIZE]`
 * `right -> JOINOTHER(reads left's getter) /`
 *
 * A left join makes the left table send old values, an outer join both (a deleted key must
 * retract its result even when the other side is absent). When a consumer of the result needs
 * old values, both tables send them too. The result's value getter joins the two getters, unless
 * `materialized` gives the result its own store.
 */
export function tableTableJoin<K, V, VO, VR>(
  left: KTable<K, V>,
  right: KTable<K, VO>,
  kind: JoinKind,
  joiner: TableTableJoiner<K, V, VO, VR>,
  materialized: Materialized<K, VR> | undefined,
  named: Named | undefined,
): KTable<K, VR> {
  checkSameBuilder(left, right, kind === 'inner' ? 'join' : `${kind}Join`);
  const { builder } = left;
  const shape: TableJoinShape = { leftOuter: kind !== 'inner', rightOuter: kind === 'outer' };
  if (shape.leftOuter) left.oldValues.enabled = true;
  if (shape.rightOuter) right.oldValues.enabled = true;
  const oldValues = joinResultOldValues(left.oldValues, right.oldValues);

  const mergeName = builder.name('KTABLE-MERGE', named);
  const joinThisName = named ? `${named.name}-join-this` : builder.name('KTABLE-JOINTHIS');
  const joinOtherName = named ? `${named.name}-join-other` : builder.name('KTABLE-JOINOTHER');
  builder.addProcessor(
    joinThisName,
    [left.nodeName],
    tableTableJoinProcessor<K, V, VO, VR>({ side: 'left', shape, other: right.valueGetter, joiner, oldValues }),
    right.valueGetter.storeNames,
  );
  builder.addProcessor(
    joinOtherName,
    [right.nodeName],
    tableTableJoinProcessor<K, V, VO, VR>({ side: 'right', shape, other: left.valueGetter, joiner, oldValues }),
    left.valueGetter.storeNames,
  );
  builder.addProcessor(mergeName, [joinThisName, joinOtherName], tableJoinMergeProcessor<K, VR>(oldValues));
  registerCopartitionGroup(builder, [left.nodeName, right.nodeName]);

  const joined = new KTable<K, VR>(
    builder,
    mergeName,
    materialized?.keySerde ?? left.keySerde,
    materialized?.valueSerde,
    undefined,
    joinedValueGetter(left.valueGetter, right.valueGetter, shape, joiner),
    oldValues,
  );
  return materialized ? joined.materialize(materialized, 'KTABLE-MERGE') : joined;
}

/**
 * The old-values flag of a join result (Kafka Streams' `enableSendingOldValues` on the join
 * merger): a consumer that needs the result's old values makes both joined tables send theirs.
 */
function joinResultOldValues(left: OldValuesFlag, right: OldValuesFlag): OldValuesFlag {
  let enabled = false;
  return {
    get enabled() {
      return enabled;
    },
    set enabled(value: boolean) {
      enabled = value;
      if (value) {
        left.enabled = true;
        right.enabled = true;
      }
    },
  };
}
