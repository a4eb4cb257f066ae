/**
 * The roll bookkeeping of one sink partition: how many rows and (estimated) bytes are pending,
 * when the first of them arrived, and which event-time span they belong to.
 */

/** The resolved roll policy (every field set; `eventTimeMs` 0 means "no event-time roll"). */
export interface ResolvedRoll {
  readonly rows: number;
  readonly bytes: number;
  readonly intervalMs: number;
  readonly eventTimeMs: number;
}

/**
 * Estimated in-memory size of a row's values, in bytes: what `roll.bytes` counts.
 *
 * Cheap on purpose (no encoding): strings count their UTF-16 length (1 byte per ASCII
 * character, as UTF-8 would store them), numbers, bigints and dates 8, booleans 1, null 0,
 * Buffers their length, records, lists and maps the sum of their parts. It approximates the
 * uncompressed PLAIN-encoded size of the row; the file is usually smaller (dictionary
 * encoding, compression), never much larger, so `roll.bytes` is an upper bound on the size of
 * a file in practice and a bound on the memory the pending rows hold.
 */
export function estimateBytes(value: unknown): number {
  if (value === null || value === undefined) return 0;
  switch (typeof value) {
    case 'string':
      return value.length;
    case 'number':
    case 'bigint':
      return 8;
    case 'boolean':
      return 1;
    case 'object': {
      if (value instanceof Date) return 8;
      if (ArrayBuffer.isView(value)) return value.byteLength;
      let sum = 0;
      if (Array.isArray(value)) {
        for (const item of value) sum += estimateBytes(item);
        return sum;
      }
      for (const key in value) sum += estimateBytes((value as Record<string, unknown>)[key]);
      return sum;
    }
    default:
      return 0;
  }
}

/** Event time in epoch milliseconds of a column value (Date, bigint micros, or number ms). */
export function eventTimeOf(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  // TIMESTAMP_MICROS values are bigint microseconds.
  if (typeof value === 'bigint') return Number(value / 1000n);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return undefined;
}

/** Pending-output counters of one sink partition. */
export class RollState {
  rows = 0;
  bytes = 0;
  /** Wall time of the first pending row (ms), for `intervalMs`. */
  firstPendingAt = 0;
  /** `floor(eventTime / eventTimeMs)` of the pending rows, when an event-time roll is set. */
  bucket: number | undefined;

  constructor(private readonly policy: ResolvedRoll) {}

  /** The event-time bucket of a time, or `undefined` without an event-time roll. */
  bucketOf(eventTime: number): number | undefined {
    return this.policy.eventTimeMs > 0 ? Math.floor(eventTime / this.policy.eventTimeMs) : undefined;
  }

  /** Whether a row of event-time bucket `bucket` must start a new file (pending rows are of another span). */
  crossesBoundary(bucket: number | undefined): boolean {
    return this.rows > 0 && bucket !== undefined && bucket !== this.bucket;
  }

  add(bytes: number, bucket: number | undefined, now: number): void {
    if (this.rows === 0) {
      this.firstPendingAt = now;
      this.bucket = bucket;
    }
    this.rows++;
    this.bytes += bytes;
  }

  /** Whether the pending rows reached the size of a file. */
  full(): boolean {
    return this.rows >= this.policy.rows || this.bytes >= this.policy.bytes;
  }

  /** Whether pending rows should be committed now: full, or pending for `intervalMs`. */
  due(now: number): boolean {
    return this.rows > 0 && (this.full() || now - this.firstPendingAt >= this.policy.intervalMs);
  }

  reset(): void {
    this.rows = 0;
    this.bytes = 0;
    this.bucket = undefined;
  }
}
