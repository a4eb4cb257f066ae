import type { SourceBatch, SourceReader } from '@weir/core';

/**
 * Reads a source ahead of processing, up to `maxRecords` records: file I/O and decoding overlap
 * with the task's processing and commits, and the task takes everything read meanwhile in one go
 * (so one commit covers several batches instead of each batch waiting for a commit).
 */
export class SourcePrefetcher<K, V> {
  private readonly queue: SourceBatch<K, V>[] = [];
  private queuedRecords = 0;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private closed = false;
  private dataWaiter: (() => void) | undefined;
  private spaceWaiter: (() => void) | undefined;

  constructor(
    private readonly reader: SourceReader<K, V>,
    private readonly maxRecords: number,
  ) {
    void this.pump();
  }

  /**
   * Every batch read so far (waiting for one if none is), in order; `undefined` once the source
   * is exhausted and all was taken.
   * @throws what the reader threw, after the batches read before it were taken
   */
  async take(): Promise<SourceBatch<K, V>[] | undefined> {
    while (this.queue.length === 0) {
      if (this.failure) throw this.failure.error;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => {
        this.dataWaiter = resolve;
      });
    }
    const batches = this.queue.splice(0);
    this.queuedRecords = 0;
    this.wakeSpace();
    return batches;
  }

  /** Stops reading and closes the reader; what was read ahead is dropped. */
  async close(): Promise<void> {
    this.closed = true;
    this.wakeSpace();
    await this.reader.close();
  }

  private async pump(): Promise<void> {
    try {
      while (!this.closed) {
        if (this.queuedRecords >= this.maxRecords) {
          await new Promise<void>((resolve) => {
            this.spaceWaiter = resolve;
          });
          continue;
        }
        const batch = await this.reader.read();
        if (this.closed) return;
        if (batch === undefined) {
          this.ended = true;
          this.wakeData();
          return;
        }
        this.queue.push(batch);
        this.queuedRecords += batch.records.length;
        this.wakeData();
      }
    } catch (error) {
      this.failure = { error };
      this.wakeData();
    }
  }

  private wakeData(): void {
    const waiter = this.dataWaiter;
    this.dataWaiter = undefined;
    waiter?.();
  }

  private wakeSpace(): void {
    const waiter = this.spaceWaiter;
    this.spaceWaiter = undefined;
    waiter?.();
  }
}
