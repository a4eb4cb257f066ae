import type { ProcessorContext } from '../processor/processor.js';

/**
 * What Weir's own processors get beyond the public context: numbers kept per task across
 * restarts (stream time of a windowed aggregation, the last window close it emitted), committed
 * with the task's state so that a restarted task decides lateness exactly as before the crash.
 */
export interface InternalProcessorContext<KOut, VOut> extends ProcessorContext<KOut, VOut> {
  processorMetadata(key: string): number | undefined;
  setProcessorMetadata(key: string, value: number): void;
  /** The name of the node the processor runs in. */
  readonly nodeName: string;
}

/** Narrows a context to the internal one (every context Weir creates is one). */
export function internal<K, V>(context: ProcessorContext<K, V>): InternalProcessorContext<K, V> {
  return context as InternalProcessorContext<K, V>;
}
