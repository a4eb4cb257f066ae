import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { type PurgeableTask, RepartitionPurger } from '../src/internal/repartition-purger.js';

/** An admin stand-in that records deleteTopicRecords calls, failing while `failing` is set. */
function fakeAdmin() {
  const calls: string[] = [];
  const state = { failing: false };
  const admin = {
    deleteTopicRecords: async ({ topic, partitions }: { topic: string; partitions: Array<{ partition: number; offset: string }> }) => {
      if (state.failing) throw new Error('broker unavailable');
      calls.push(`${topic}:${partitions.map((p) => `${p.partition}@${p.offset}`).join(',')}`);
    },
  } as unknown as Admin;
  return { admin, calls, state };
}

function task(partition: number, committed: Record<string, bigint>): PurgeableTask {
  return { taskId: { partition }, sourceTopics: Object.keys(committed), committedPosition: (topic) => committed[topic] };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('RepartitionPurger', () => {
  it('deletes repartition records up to each task’s committed position, only there, and only what is new', async () => {
    const { admin, calls } = fakeAdmin();
    const purger = new RepartitionPurger(admin, new Set(['app-r-repartition']), 0, silentLogger);
    const tasks = [task(0, { 'app-r-repartition': 10n, input: 99n }), task(1, { 'app-r-repartition': 0n })];
    purger.afterCommit(tasks);
    await purger.drain();
    expect(calls).toEqual(['app-r-repartition:0@10']);
    // Nothing new: no request.
    purger.afterCommit(tasks);
    await purger.drain();
    expect(calls).toHaveLength(1);
    purger.afterCommit([task(0, { 'app-r-repartition': 25n }), task(1, { 'app-r-repartition': 3n })]);
    await purger.drain();
    expect(calls[1]).toBe('app-r-repartition:0@25,1@3');
  });

  it('waits for the interval, and retries a failed purge at the next one', async () => {
    const { admin, calls, state } = fakeAdmin();
    const purger = new RepartitionPurger(admin, new Set(['r']), 60_000, silentLogger);
    purger.afterCommit([task(0, { r: 5n })]);
    await purger.drain();
    expect(calls).toEqual([]);

    const eager = new RepartitionPurger(admin, new Set(['r']), 0, silentLogger);
    state.failing = true;
    eager.afterCommit([task(0, { r: 5n })]);
    await eager.drain();
    await settle();
    state.failing = false;
    eager.afterCommit([task(0, { r: 5n })]);
    await eager.drain();
    expect(calls).toEqual(['r:0@5']);
  });
});
