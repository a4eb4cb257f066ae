/** A time window `[start, end)` in epoch milliseconds. Session windows are `[start, end]` (both inclusive). */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/** A key of a windowed aggregation: the grouping key and the window it belongs to. */
export interface Windowed<K> {
  readonly key: K;
  readonly window: Window;
}

/** Makes a {@link Windowed} key. */
export function windowed<K>(key: K, start: number, end: number): Windowed<K> {
  return { key, window: { start, end } };
}
