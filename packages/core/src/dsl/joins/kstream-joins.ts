import { TopologyError } from '../../errors.js';
import type { StreamStreamJoiner } from '../../processors/joins/stream-stream-join.js';
import type { JoinWindows } from '../../windows/join-windows.js';
import type { Joined, Named, StreamJoined } from '../config.js';
import { KStream } from '../kstream.js';
import { KTable } from '../ktable.js';
import { GlobalKTable } from '../streams-builder.js';
import { type JoinKind, windowedStreamJoin } from './stream-stream-join.js';
import { streamGlobalTableJoin, streamTableJoin } from './stream-table-join.js';

/** What a stream can be joined with. */
export type StreamJoinTarget<K> = KStream<K, unknown> | KTable<K, unknown> | GlobalKTable<unknown, unknown>;

/**
 * Dispatches `KStream.join` / `leftJoin` / `outerJoin` on the kind of the other input: a stream
 * (windowed join), a table or a global table.
 * @throws TopologyError for an outer join with a table, or an input of another kind
 */
export function streamJoin<K, V>(
  stream: KStream<K, V>,
  kind: JoinKind,
  other: StreamJoinTarget<K>,
  second: unknown,
  third: unknown,
  fourth: unknown,
): KStream<K, unknown> {
  const operator = kind === 'inner' ? 'join' : `${kind}Join`;
  if (other instanceof KStream) {
    return windowedStreamJoin(
      stream,
      other,
      kind,
      second as StreamStreamJoiner<K, V, unknown, unknown>,
      third as JoinWindows,
      fourth as StreamJoined<K, V, unknown> | undefined,
    );
  }
  if (kind === 'outer') throw new TopologyError('outerJoin() joins a stream with a stream only (Kafka Streams has no stream-table outer join)');
  if (other instanceof KTable) {
    return streamTableJoin(
      stream,
      other,
      kind === 'left',
      second as (value: V, tableValue: unknown, key: K) => unknown,
      third as Joined<K, V, unknown> | undefined,
    );
  }
  if (other instanceof GlobalKTable) {
    return streamGlobalTableJoin(
      stream,
      other,
      kind === 'left',
      second as (key: K, value: V) => unknown,
      third as (value: V, globalValue: unknown, key: K) => unknown,
      fourth as Named | undefined,
    );
  }
  throw new TopologyError(`${operator}(): expected a KStream, KTable or GlobalKTable to join with`);
}
