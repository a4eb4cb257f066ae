import { TopologyError } from '../errors.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import type { Change } from '../serde/internal-serdes.js';
import type { EmitStrategy } from '../windows/emit-strategy.js';
import type { SlidingWindows } from '../windows/sliding-windows.js';
import type { Windowed } from '../windows/windowed.js';
import type { OldValuesFlag } from './table-processors.js';

/** Sliding-window aggregation (KIP-450). Being implemented; see the README's status section. */
export function slidingWindowAggregateProcessor<K, V, A>(
  _storeName: string,
  _windows: SlidingWindows,
  _initializer: () => A,
  _aggregator: (key: K, value: V, aggregate: A) => A,
  _emitStrategy: EmitStrategy,
  _oldValues: OldValuesFlag,
): ProcessorSupplier<K, V, Windowed<K>, Change<A>> {
  throw new TopologyError('sliding-window aggregation is not implemented yet');
}
