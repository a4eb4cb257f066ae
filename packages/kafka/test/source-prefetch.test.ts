import type { SourceBatch, SourceReader } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { SourcePrefetcher } from '../src/internal/source-prefetch.js';

/** Batches of 10 records numbered from 0, positions the next number; fails at `failAt` reads if given. */
function numbers(batches: number, failAt?: number): SourceReader<number, number> & { reads: number } {
  const reader = {
    reads: 0,
    async read(): Promise<SourceBatch<number, number> | undefined> {
      const i = reader.reads++;
      if (i === failAt) throw new Error('bad Parquet file part-3.parquet: truncated');
      if (i >= batches) return undefined;
      const records = Array.from({ length: 10 }, (_, j) => ({ key: i * 10 + j, value: i * 10 + j, timestamp: 0 }));
      return { records, position: String((i + 1) * 10) };
    },
    async close() {},
  };
  return reader;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('SourcePrefetcher', () => {
  it('hands over everything read ahead, in order, then undefined at the end', async () => {
    const prefetcher = new SourcePrefetcher(numbers(5), 1_000);
    await settle();
    const batches = await prefetcher.take();
    expect(batches?.map((b) => b.position)).toEqual(['10', '20', '30', '40', '50']);
    expect(batches?.flatMap((b) => b.records.map((r) => r.key))).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(await prefetcher.take()).toBeUndefined();
  });

  it('reads no further ahead than its record budget', async () => {
    const reader = numbers(100);
    const prefetcher = new SourcePrefetcher(reader, 30);
    await settle();
    expect(reader.reads).toBe(3);
    expect((await prefetcher.take())?.length).toBe(3);
    await settle();
    expect(reader.reads).toBe(6);
    await prefetcher.close();
  });

  it('delivers the batches read before a failure, then the failure', async () => {
    const prefetcher = new SourcePrefetcher(numbers(10, 2), 1_000);
    await settle();
    expect((await prefetcher.take())?.map((b) => b.position)).toEqual(['10', '20']);
    await expect(prefetcher.take()).rejects.toThrow('bad Parquet file part-3.parquet: truncated');
  });
});
