/**
 * A map whose keys stay sorted, for ordered range scans over in-memory entries.
 *
 * Keys are byte strings in latin1 form (one char per byte): JavaScript compares such strings
 * code unit by code unit, which is exactly bytewise order, so sorting strings sorts the bytes.
 */
export class SortedStringMap<V> {
  private readonly values = new Map<string, V>();
  private readonly keys: string[] = [];

  get size(): number {
    return this.values.size;
  }

  get(key: string): V | undefined {
    return this.values.get(key);
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  set(key: string, value: V): void {
    if (!this.values.has(key)) this.keys.splice(this.lowerBound(key), 0, key);
    this.values.set(key, value);
  }

  delete(key: string): boolean {
    if (!this.values.delete(key)) return false;
    this.keys.splice(this.lowerBound(key), 1);
    return true;
  }

  clear(): void {
    this.values.clear();
    this.keys.length = 0;
  }

  /** Deletes every key in `[from, to)`. */
  deleteRange(from: string, to: string): void {
    const start = this.lowerBound(from);
    const end = this.lowerBound(to);
    if (end <= start) return;
    for (const key of this.keys.splice(start, end - start)) this.values.delete(key);
  }

  /** Entries with `from <= key < to` (open where undefined), ascending or descending. */
  *range(from?: string, to?: string, reverse = false): IterableIterator<[string, V]> {
    const start = from === undefined ? 0 : this.lowerBound(from);
    const end = to === undefined ? this.keys.length : this.lowerBound(to);
    if (!reverse) {
      for (let i = start; i < end; i++) {
        const key = this.keys[i]!;
        yield [key, this.values.get(key) as V];
      }
    } else {
      for (let i = end - 1; i >= start; i--) {
        const key = this.keys[i]!;
        yield [key, this.values.get(key) as V];
      }
    }
  }

  /** Index of the first key `>= key`. */
  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
