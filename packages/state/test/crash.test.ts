import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { LmdbStateBackendFactory, openReadOnlyTaskState } from '../src/index.js';
import { expectWholeBatch, keyCount, lastCommitted, startCommitLoop } from './support/commit-loop.js';
import { tempStateDir } from './support/state-dirs.js';

// The child is the built package (dist): `npm test` builds it first.
describe('LMDB state under SIGKILL', () => {
  it('holds exactly the last checkpointed batch after a kill at a random moment, round after round', async () => {
    const stateDir = tempStateDir();
    const baseKeys = 50_000;
    const factory = new LmdbStateBackendFactory({ stateDir, onReset: () => {} });
    let previous = -1;
    let killedMidCommit = 0;
    for (let round = 0; round < 6; round++) {
      const loop = startCommitLoop(stateDir, '0_0', baseKeys);
      await loop.waitFor(/^committed/);
      await sleep(Math.random() * 400);
      await loop.kill();
      const printed = lastCommitted(loop.lines);
      if (loop.lines.at(-1)?.startsWith('begin')) killedMidCommit++;

      const backend = factory.open('0_0', ['data'], 'crash-test');
      try {
        expect(backend.origin).toBe('reopened');
        const checkpoint = Number(backend.checkpoint().data);
        // Durable on return: a batch reported committed survived; the one in flight may have too.
        expect(checkpoint === printed || checkpoint === printed + 1).toBe(true);
        expect(checkpoint).toBeGreaterThan(previous);
        expectWholeBatch(backend.store('data'), checkpoint, baseKeys);
        expect(backend.store('data').approximateNumEntries()).toBe(keyCount(checkpoint, baseKeys));
        previous = checkpoint;
      } finally {
        backend.close();
      }
    }
    // Commits take most of the child's time, so kills land inside them.
    expect(killedMidCommit).toBeGreaterThan(0);
  }, 120_000);

  it('lets a reader in another process see whole commits only, while the owner commits', async () => {
    const stateDir = tempStateDir();
    const baseKeys = 5_000;
    const loop = startCommitLoop(stateDir, '0_0', baseKeys);
    try {
      await loop.waitFor(/^committed 0$/);
      const view = openReadOnlyTaskState(stateDir, '0_0', { fingerprint: 'crash-test' });
      try {
        const seen = new Set<number>();
        const until = Date.now() + 3_000;
        while (Date.now() < until || seen.size < 3) {
          const snapshot = view.snapshot();
          try {
            const batch = Number(snapshot.checkpoint().data);
            expectWholeBatch(snapshot.store('data'), batch, baseKeys);
            seen.add(batch);
          } finally {
            snapshot.release();
          }
          // Without a snapshot, each range is still one commit: count and tags agree with each other.
          const first = view.store('data').get(Uint8Array.of(0, 0, 0, 0))!;
          const batch = new DataView(first.buffer, first.byteOffset).getUint32(0);
          const tags = new Set<number>();
          let count = 0;
          for (const [, value] of view.store('data').range()) {
            tags.add(new DataView(value.buffer, value.byteOffset).getUint32(0));
            count++;
          }
          expect(tags.size).toBe(1);
          const tag = [...tags][0]!;
          expect(count).toBe(keyCount(tag, baseKeys));
          expect(tag).toBeGreaterThanOrEqual(batch);
          await sleep(5);
        }
        // The reader saw the owner move on: commits landed while it read.
        expect(seen.size).toBeGreaterThanOrEqual(3);
      } finally {
        view.close();
      }
    } finally {
      await loop.kill();
    }
  }, 60_000);
});
