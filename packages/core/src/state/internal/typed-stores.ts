import type { KeyValue } from '../../record.js';
import type { Serde } from '../../serde/serde.js';
import { windowed, type Windowed } from '../../windows/windowed.js';
import {
  compareBytes,
  parseSessionStoreKey,
  parseWindowStoreKey,
  segmentOf,
  sessionStoreKey,
  sortableInt64,
  windowStoreKey,
} from '../key-encoding.js';
import type { KeyValueStore, SessionStore, WindowEntry, WindowStore } from '../stores.js';
import { fromByteString, successor, toByteString } from './byte-strings.js';
import type { StoreBuffer } from './store-buffer.js';

/** What a typed store needs from its task: the event time to stamp writes with. */
export interface StoreClock {
  /** Timestamp of the record being processed (stream time outside processing). */
  recordTimestamp(): number;
}

const MIN_SAFE = Number.MIN_SAFE_INTEGER;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Shared serde handling: every typed store serializes with its store name as the topic. */
abstract class TypedStore<K, V> {
  constructor(
    readonly name: string,
    protected readonly buffer: StoreBuffer,
    protected readonly keySerde: Serde<K>,
    protected readonly valueSerde: Serde<V>,
    protected readonly clock: StoreClock,
  ) {}

  protected keyBytes(key: K): Uint8Array {
    const bytes = this.keySerde.serialize(this.name, key);
    if (bytes === null) throw new TypeError(`store ${this.name}: a key must not serialize to null`);
    return bytes;
  }

  protected decodeKey(bytes: Uint8Array): K {
    return this.keySerde.deserialize(this.name, bytes) as K;
  }

  protected valueBytes(value: V | null): Uint8Array | null {
    return value === null ? null : this.valueSerde.serialize(this.name, value);
  }

  protected decodeValue(bytes: Uint8Array | null | undefined): V | undefined {
    if (bytes === null || bytes === undefined) return undefined;
    return this.valueSerde.deserialize(this.name, bytes) as V;
  }

  /** Whether updates are cached and forwarded on flush rather than at once. */
  get cachingEnabled(): boolean {
    return this.buffer.cachingEnabled;
  }

  /** Decodes a raw store key into the key a flush listener receives. */
  protected abstract decodeStoreKey(bytes: Uint8Array): unknown;

  /** @internal Forwards flushed cache entries to `listener` (what caching aggregations emit through). */
  setFlushListener(listener: TypedFlushListener<never, V>): void {
    const typed = listener as TypedFlushListener<unknown, V>;
    this.buffer.flushListener = (key, newValue, oldValue, timestamp) =>
      typed(this.decodeStoreKey(key), this.decodeValue(newValue), this.decodeValue(oldValue), timestamp);
  }
}

/** A typed view of a cache flush: the key as the store presents it, new and previous value. */
export type TypedFlushListener<KS, V> = (key: KS, newValue: V | undefined, oldValue: V | undefined, timestamp: number) => void;

/** A key-value store over a {@link StoreBuffer}: `[key]` layout. */
export class BufferedKeyValueStore<K, V> extends TypedStore<K, V> implements KeyValueStore<K, V> {
  protected decodeStoreKey(bytes: Uint8Array): K {
    return this.decodeKey(bytes);
  }

  get(key: K): V | undefined {
    return this.decodeValue(this.buffer.get(toByteString(this.keyBytes(key))));
  }

  put(key: K, value: V | null): void {
    this.buffer.put(toByteString(this.keyBytes(key)), this.valueBytes(value), this.clock.recordTimestamp());
  }

  putIfAbsent(key: K, value: V): V | undefined {
    const existing = this.get(key);
    if (existing === undefined) this.put(key, value);
    return existing;
  }

  delete(key: K): V | undefined {
    const existing = this.get(key);
    this.put(key, null);
    return existing;
  }

  range(from?: K, to?: K): Iterable<KeyValue<K, V>> {
    return this.scan(from, to, false);
  }

  reverseRange(from?: K, to?: K): Iterable<KeyValue<K, V>> {
    return this.scan(from, to, true);
  }

  all(): Iterable<KeyValue<K, V>> {
    return this.scan(undefined, undefined, false);
  }

  *prefixScan<P>(prefix: P, prefixSerde: Serde<P>): Iterable<KeyValue<K, V>> {
    const bytes = prefixSerde.serialize(this.name, prefix);
    if (bytes === null) return;
    const from = toByteString(bytes);
    for (const [key, value] of this.buffer.range(from)) {
      if (!key.startsWith(from)) return;
      yield { key: this.decodeKey(fromByteString(key)), value: this.decodeValue(value) as V };
    }
  }

  approximateNumEntries(): number {
    return this.buffer.approximateNumEntries();
  }

  private *scan(from: K | undefined, to: K | undefined, reverse: boolean): Iterable<KeyValue<K, V>> {
    const lower = from === undefined ? undefined : toByteString(this.keyBytes(from));
    const upper = to === undefined ? undefined : successor(toByteString(this.keyBytes(to)));
    if (lower !== undefined && upper !== undefined && lower >= upper) return;
    for (const [key, value] of this.buffer.range(lower, upper, reverse)) {
      yield { key: this.decodeKey(fromByteString(key)), value: this.decodeValue(value) as V };
    }
  }
}

/** Retention settings of a segmented (window or session) store. */
export interface SegmentedStoreOptions {
  /** Data older than observed stream time minus this is dropped. */
  retentionMs: number;
  /** Width of a segment; retention drops whole segments. */
  segmentIntervalMs: number;
}

/**
 * Segments and retention, shared by window and session stores: tracks the largest time put
 * (the store's observed stream time) and drops segments that fell out of retention with one
 * range delete each, so the cost of retention is proportional to expired data, never the store.
 */
class SegmentTracker {
  observedTime = MIN_SAFE;
  private droppedBelow = MIN_SAFE;
  /**
   * The first and last segment the store may hold (undefined: none), read from the store once
   * and then kept up to date by {@link written} and retention. Reading them on every fetch cost
   * two cursor seeks per lookup, a third of a session aggregation's time. They may be wider than
   * the data (a removed session leaves its segment in them): that only costs an empty range.
   */
  private bounds: [number, number] | undefined | 'unread' = 'unread';

  constructor(
    private readonly buffer: StoreBuffer,
    readonly options: SegmentedStoreOptions,
    /** Whether a time exactly `retention` before the observed time is still live. */
    private readonly keepBoundary = false,
  ) {}

  segment(time: number): number {
    return segmentOf(time, this.options.segmentIntervalMs);
  }

  /** Earliest time still retained. */
  minLiveTime(): number {
    if (this.observedTime === MIN_SAFE) return MIN_SAFE;
    return this.observedTime - this.options.retentionMs + (this.keepBoundary ? 0 : 1);
  }

  /** Records a write at `time`; returns false if `time` is already out of retention. */
  observe(time: number): boolean {
    if (time > this.observedTime) {
      this.observedTime = time;
      const minLiveSegment = this.segment(this.observedTime - this.options.retentionMs);
      if (minLiveSegment > this.droppedBelow) {
        this.buffer.deleteRange(toByteString(sortableInt64(MIN_SAFE)), toByteString(sortableInt64(minLiveSegment)));
        this.droppedBelow = minLiveSegment;
        if (Array.isArray(this.bounds)) {
          this.bounds = minLiveSegment > this.bounds[1] ? undefined : [Math.max(this.bounds[0], minLiveSegment), this.bounds[1]];
        }
      }
    }
    return time >= this.minLiveTime();
  }

  /** Records that the store wrote into `segment` (after {@link observe} accepted the write). */
  written(segment: number): void {
    if (this.bounds === 'unread') return; // read from the store, this write included, when first needed
    this.bounds = this.bounds ? [Math.min(this.bounds[0], segment), Math.max(this.bounds[1], segment)] : [segment, segment];
  }

  /** Segment ids that can hold data for times in `[from, to]`, clamped to what the store holds. */
  segmentsBetween(from: number, to: number): number[] {
    if (this.bounds === 'unread') this.bounds = this.storedSegmentBounds();
    const bounds = this.bounds;
    if (!bounds) return [];
    const first = Math.max(this.segment(from), bounds[0]);
    const last = Math.min(this.segment(to), bounds[1]);
    const ids: number[] = [];
    for (let s = first; s <= last; s++) ids.push(s);
    return ids;
  }

  private storedSegmentBounds(): [number, number] | undefined {
    const first = firstOf(this.buffer.range(undefined, undefined, false));
    if (!first) return undefined;
    const last = firstOf(this.buffer.range(undefined, undefined, true)) ?? first;
    const read = (key: string) => parseWindowStoreKey(fromByteString(key)).segment;
    return [read(first[0]), read(last[0])];
  }
}

/**
 * The first element of `iterator`, which is then closed: a store range left open would keep its
 * LMDB cursor, and with it a read snapshot, until the garbage collector found it.
 */
function firstOf<T>(iterator: Iterator<T>): T | undefined {
  try {
    const step = iterator.next();
    return step.done ? undefined : step.value;
  } finally {
    iterator.return?.();
  }
}

/** A window store over a {@link StoreBuffer}: `[segment][key][windowStart]` layout. */
export class BufferedWindowStore<K, V> extends TypedStore<K, V> implements WindowStore<K, V> {
  private readonly segments: SegmentTracker;

  constructor(
    name: string,
    buffer: StoreBuffer,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    clock: StoreClock,
    options: SegmentedStoreOptions & { windowSizeMs: number },
    private readonly windowSizeMs = options.windowSizeMs,
  ) {
    super(name, buffer, keySerde, valueSerde, clock);
    this.segments = new SegmentTracker(buffer, options);
  }

  protected decodeStoreKey(bytes: Uint8Array): Windowed<K> {
    const parsed = parseWindowStoreKey(bytes);
    return windowed(this.decodeKey(parsed.key), parsed.windowStart, parsed.windowStart + this.windowSizeMs);
  }

  put(key: K, value: V | null, windowStart: number): void {
    // Spec (Kafka Streams segmented stores): a put older than retention is dropped.
    if (!this.segments.observe(windowStart)) return;
    const segment = this.segments.segment(windowStart);
    this.segments.written(segment);
    this.buffer.put(toByteString(windowStoreKey(segment, this.keyBytes(key), windowStart)), this.valueBytes(value), this.clock.recordTimestamp());
  }

  fetch(key: K, windowStart: number): V | undefined {
    if (windowStart < this.segments.minLiveTime()) return undefined;
    const storeKey = windowStoreKey(this.segments.segment(windowStart), this.keyBytes(key), windowStart);
    return this.decodeValue(this.buffer.get(toByteString(storeKey)));
  }

  fetchRange(key: K, timeFrom: number, timeTo: number): Iterable<WindowEntry<V>> {
    return this.fetchKey(key, timeFrom, timeTo, false);
  }

  backwardFetch(key: K, timeFrom: number, timeTo: number): Iterable<WindowEntry<V>> {
    return this.fetchKey(key, timeFrom, timeTo, true);
  }

  *fetchAll(timeFrom: number, timeTo: number): Iterable<KeyValue<Windowed<K>, V>> {
    // Spec (Kafka Streams' time-ordered stores, which emit-on-close scans): the window starting
    // exactly `retention` before the observed time is still returned; it may be the one closing now.
    const from = Math.max(timeFrom, this.segments.minLiveTime() - 1);
    if (from > timeTo) return;
    const lower = toByteString(sortableInt64(this.segments.segment(from)));
    const upper = toByteString(sortableInt64(this.segments.segment(timeTo) + 1));
    for (const [storeKey, value] of this.buffer.range(lower, upper)) {
      const parsed = parseWindowStoreKey(fromByteString(storeKey));
      if (parsed.windowStart < from || parsed.windowStart > timeTo) continue;
      yield {
        key: windowed(this.decodeKey(parsed.key), parsed.windowStart, parsed.windowStart + this.windowSizeMs),
        value: this.decodeValue(value) as V,
      };
    }
  }

  all(): Iterable<KeyValue<Windowed<K>, V>> {
    return this.fetchAll(MIN_SAFE, MAX_SAFE);
  }

  private *fetchKey(key: K, timeFrom: number, timeTo: number, reverse: boolean): Iterable<WindowEntry<V>> {
    const from = Math.max(timeFrom, this.segments.minLiveTime());
    if (from > timeTo) return;
    const keyBytes = this.keyBytes(key);
    const segmentIds = this.segments.segmentsBetween(from, timeTo);
    if (reverse) segmentIds.reverse();
    for (const segment of segmentIds) {
      const lower = toByteString(windowStoreKey(segment, keyBytes, from));
      const upper = successor(toByteString(windowStoreKey(segment, keyBytes, timeTo)));
      for (const [storeKey, value] of this.buffer.range(lower, upper, reverse)) {
        const parsed = parseWindowStoreKey(fromByteString(storeKey));
        // Variable-length keys: a longer key can sort inside this range; keep exact matches only.
        if (parsed.key.byteLength !== keyBytes.byteLength || toByteString(parsed.key) !== toByteString(keyBytes)) continue;
        yield { windowStart: parsed.windowStart, value: this.decodeValue(value) as V };
      }
    }
  }
}

/** A session store over a {@link StoreBuffer}: `[segment][key][end][start]` layout, segmented by session end. */
export class BufferedSessionStore<K, V> extends TypedStore<K, V> implements SessionStore<K, V> {
  private readonly segments: SegmentTracker;

  constructor(
    name: string,
    buffer: StoreBuffer,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    clock: StoreClock,
    options: SegmentedStoreOptions,
  ) {
    super(name, buffer, keySerde, valueSerde, clock);
    // Spec: a session aggregation keeps a session open until stream time passes end + gap + grace
    // (the default retention), so a session ending exactly `retention` before the observed time
    // must still be stored and found. (Kafka Streams' caching layer hides the same boundary.)
    this.segments = new SegmentTracker(buffer, options, true);
  }

  protected decodeStoreKey(bytes: Uint8Array): Windowed<K> {
    const parsed = parseSessionStoreKey(bytes);
    return windowed(this.decodeKey(parsed.key), parsed.start, parsed.end);
  }

  put(session: Windowed<K>, value: V | null): void {
    if (!this.segments.observe(session.window.end)) return;
    const segment = this.segments.segment(session.window.end);
    this.segments.written(segment);
    const storeKey = sessionStoreKey(segment, this.keyBytes(session.key), session.window.start, session.window.end);
    this.buffer.put(toByteString(storeKey), this.valueBytes(value), this.clock.recordTimestamp());
  }

  remove(session: Windowed<K>): void {
    const storeKey = sessionStoreKey(
      this.segments.segment(session.window.end),
      this.keyBytes(session.key),
      session.window.start,
      session.window.end,
    );
    this.buffer.put(toByteString(storeKey), null, this.clock.recordTimestamp());
  }

  fetchSession(key: K, start: number, end: number): V | undefined {
    if (end < this.segments.minLiveTime()) return undefined;
    const storeKey = sessionStoreKey(this.segments.segment(end), this.keyBytes(key), start, end);
    return this.decodeValue(this.buffer.get(toByteString(storeKey)));
  }

  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): Iterable<KeyValue<Windowed<K>, V>> {
    return this.find(key, earliestSessionEndTime, latestSessionStartTime, false);
  }

  backwardFindSessions(
    key: K,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): Iterable<KeyValue<Windowed<K>, V>> {
    return this.find(key, earliestSessionEndTime, latestSessionStartTime, true);
  }

  fetch(key: K): Iterable<KeyValue<Windowed<K>, V>> {
    return this.find(key, MIN_SAFE, MAX_SAFE, false);
  }

  /**
   * Every key's sessions ending within `[earliestSessionEndTime, latestSessionEndTime]`, by end,
   * start, then key bytes (Kafka Streams' time-ordered `findSessions(earliestEnd, latestEnd)`,
   * which session emit-on-close scans). Returns whatever retention has not dropped yet: closed
   * sessions end before the observed time minus retention by the time they are emitted.
   */
  findSessionsByEndTime(earliestSessionEndTime: number, latestSessionEndTime: number): Array<KeyValue<Windowed<K>, V>> {
    const found: Array<{ end: number; start: number; key: Uint8Array; value: Uint8Array }> = [];
    for (const segment of this.segments.segmentsBetween(earliestSessionEndTime, latestSessionEndTime)) {
      const lower = toByteString(sortableInt64(segment));
      const upper = toByteString(sortableInt64(segment + 1));
      for (const [storeKey, value] of this.buffer.range(lower, upper)) {
        const parsed = parseSessionStoreKey(fromByteString(storeKey));
        if (parsed.end < earliestSessionEndTime || parsed.end > latestSessionEndTime) continue;
        found.push({ end: parsed.end, start: parsed.start, key: parsed.key, value });
      }
    }
    found.sort((a, b) => a.end - b.end || a.start - b.start || compareBytes(a.key, b.key));
    return found.map((s) => ({ key: windowed(this.decodeKey(s.key), s.start, s.end), value: this.decodeValue(s.value) as V }));
  }

  private *find(key: K, earliestEnd: number, latestStart: number, reverse: boolean): Iterable<KeyValue<Windowed<K>, V>> {
    const fromEnd = Math.max(earliestEnd, this.segments.minLiveTime());
    const keyBytes = this.keyBytes(key);
    const keyText = toByteString(keyBytes);
    const segmentIds = this.segments.segmentsBetween(fromEnd, MAX_SAFE);
    if (reverse) segmentIds.reverse();
    for (const segment of segmentIds) {
      const lower = toByteString(sessionStoreKey(segment, keyBytes, MIN_SAFE, fromEnd));
      const upper = toByteString(sessionStoreKey(segment, keyBytes, MAX_SAFE, MAX_SAFE));
      for (const [storeKey, value] of this.buffer.range(lower, successor(upper), reverse)) {
        const parsed = parseSessionStoreKey(fromByteString(storeKey));
        if (toByteString(parsed.key) !== keyText) continue;
        if (parsed.end < fromEnd || parsed.start > latestStart) continue;
        yield {
          key: windowed(this.decodeKey(parsed.key), parsed.start, parsed.end),
          value: this.decodeValue(value) as V,
        };
      }
    }
  }
}
