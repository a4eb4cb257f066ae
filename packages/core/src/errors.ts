/** Context that Weir attaches to its errors so that a log line names the offending input. */
export interface WeirErrorContext {
  task?: string;
  topic?: string;
  partition?: number;
  offset?: string | number;
  file?: string;
  node?: string;
  store?: string;
}

/** Root of every error Weir throws. */
export class WeirError extends Error {
  override name = 'WeirError';
  readonly context: WeirErrorContext;

  constructor(message: string, options: { cause?: unknown; context?: WeirErrorContext } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.context = options.context ?? {};
  }
}

/** An invalid topology, detected while building or compiling it. Messages start "Invalid topology: ". */
export class TopologyError extends WeirError {
  override name = 'TopologyError';
  constructor(message: string, options: { cause?: unknown; context?: WeirErrorContext } = {}) {
    super(`Invalid topology: ${message}`, options);
  }
}

/** Bytes that a serde cannot turn into a value (or a value it cannot turn into bytes). */
export class SerdeError extends WeirError {
  override name = 'SerdeError';
}

/** A state store used wrongly or found unusable (corrupt, closed, wrong version). */
export class StateStoreError extends WeirError {
  override name = 'StateStoreError';
}

/** A user function or processor threw while processing a record. */
export class ProcessingError extends WeirError {
  override name = 'ProcessingError';
}

/** A call made in a state that does not allow it (closed store, stopped driver, ...). */
export class IllegalStateError extends WeirError {
  override name = 'IllegalStateError';
}

/** A consumed record whose key or value its source's serde could not read. */
export class DeserializationError extends SerdeError {
  override name = 'DeserializationError';
}
