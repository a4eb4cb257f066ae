import { IllegalStateError, StateStoreError } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { openReadOnlyTaskState } from '../src/index.js';
import { b, closeAfterTest, rows, testFactory, writes } from './support/state-dirs.js';

function ownerAndView() {
  const setup = testFactory();
  const owner = setup.factory.open('0_2', ['counts', 'other'], 'fp');
  closeAfterTest(() => owner.close());
  owner.commit(writes('counts', [[b(1), b(1)], [b(2), b(2)]], { counts: '2' }));
  const view = openReadOnlyTaskState(setup.stateDir, '0_2', { fingerprint: 'fp' });
  closeAfterTest(() => view.close());
  return { ...setup, owner, view };
}

/** A commit that tags every key 0..n-1 of `store` with `tag`, after deleting the store's keys. */
function rewriteAll(store: string, n: number, tag: number, offset: string) {
  return {
    rangeDeletes: [{ store, from: new Uint8Array(0), to: b(0xff) }],
    writes: Array.from({ length: n }, (_, i) => ({ store, key: Uint8Array.of(i >> 8, i & 0xff), value: b(tag) })),
    checkpoint: { [store]: offset },
  };
}

describe('openReadOnlyTaskState', () => {
  it('reads committed state and the checkpoint', () => {
    const { view } = ownerAndView();
    expect(view.taskId).toBe('0_2');
    expect([...view.store('counts').get(b(2))!]).toEqual([2]);
    expect(rows(view.store('counts').range({ reverse: true }))).toEqual([
      [[2], [2]],
      [[1], [1]],
    ]);
    expect(view.store('counts').approximateNumEntries()).toBe(2);
    expect(view.checkpoint()).toEqual({ counts: '2' });
  });

  it('sees each new commit at once, also within one event loop turn', () => {
    const { owner, view } = ownerAndView();
    expect(view.store('counts').get(b(3))).toBeUndefined();
    owner.commit(writes('counts', [[b(3), b(3)]], { counts: '3' }));
    expect([...view.store('counts').get(b(3))!]).toEqual([3]);
    expect(view.checkpoint()).toEqual({ counts: '3' });
    owner.commit(writes('counts', [[b(3), null]], { counts: '4' }));
    expect(view.store('counts').get(b(3))).toBeUndefined();
    expect(view.store('counts').approximateNumEntries()).toBe(2);
  });

  it('iterates one commit while the owner commits others', () => {
    const { owner, view } = ownerAndView();
    owner.commit(rewriteAll('counts', 3000, 1, '10'));
    const iterator = view.store('counts').range()[Symbol.iterator]();
    const tags = new Set<number>();
    let count = 0;
    for (let step = iterator.next(); !step.done; step = iterator.next()) {
      tags.add(step.value[1][0]!);
      count++;
      // Each commit rewrites every key with a new tag and drops a tenth of them.
      if (count % 500 === 0) owner.commit(rewriteAll('counts', 3000 - count / 5, 1 + count / 500, String(10 + count)));
    }
    expect({ tags: [...tags], count }).toEqual({ tags: [1], count: 3000 });
    expect(view.store('counts').approximateNumEntries()).toBe(2400);
  });

  it('pins one commit across stores and the checkpoint with a snapshot', () => {
    const { owner, view } = ownerAndView();
    owner.commit({ ...rewriteAll('counts', 10, 1, '1'), writes: [...rewriteAll('counts', 10, 1, '1').writes, { store: 'other', key: b(0), value: b(1) }], checkpoint: { counts: '1', other: '1' } });
    const snapshot = view.snapshot();
    owner.commit({ ...rewriteAll('counts', 5, 2, '2'), writes: [...rewriteAll('counts', 5, 2, '2').writes, { store: 'other', key: b(0), value: b(2) }], checkpoint: { counts: '2', other: '2' } });
    expect(snapshot.checkpoint()).toEqual({ counts: '1', other: '1' });
    expect([...snapshot.store('counts').range()].map(([, v]) => v[0])).toEqual(Array(10).fill(1));
    expect([...snapshot.store('other').get(b(0))!]).toEqual([1]);
    expect(snapshot.store('counts').approximateNumEntries()).toBeGreaterThan(0);
    expect(view.checkpoint()).toEqual({ counts: '2', other: '2' });
    expect([...view.store('other').get(b(0))!]).toEqual([2]);
    snapshot.release();
    snapshot.release();
    expect(() => snapshot.store('counts')).toThrow('TaskStateSnapshot.store() called after release()');
  });

  it('reads a store the owner has not created yet as empty, and sees it once created', () => {
    const { owner, view } = ownerAndView();
    const late = view.store('late');
    expect(late.get(b(1))).toBeUndefined();
    expect(rows(late.range())).toEqual([]);
    expect(late.approximateNumEntries()).toBe(0);
    const before = view.snapshot();
    owner.commit(writes('late', [[b(1), b(1)]], { late: '1' }));
    expect(rows(late.range())).toEqual([[[1], [1]]]);
    // Created after the snapshot was taken: not in it.
    expect(rows(before.store('late').range())).toEqual([]);
    before.release();
    const after = view.snapshot();
    expect(rows(after.store('late').range())).toEqual([[[1], [1]]]);
    after.release();
  });

  it('can be opened before the owner, which still writes (lmdb-js shares the environment)', () => {
    const { factory, stateDir, owner } = ownerAndView();
    owner.close();
    const view = openReadOnlyTaskState(stateDir, '0_2');
    closeAfterTest(() => view.close());
    const again = factory.open('0_2', ['counts'], 'fp');
    closeAfterTest(() => again.close());
    again.commit(writes('counts', [[b(9), b(9)]], { counts: '9' }));
    expect([...view.store('counts').get(b(9))!]).toEqual([9]);
    expect(view.checkpoint()).toEqual({ counts: '9' });
  });

  it('refuses missing state, another fingerprint, and never creates or wipes anything', () => {
    const { stateDir } = ownerAndView();
    expect(() => openReadOnlyTaskState(stateDir, '9_9')).toThrow(`no readable state for task 9_9 at ${stateDir}/9_9: no data.mdb`);
    expect(() => openReadOnlyTaskState(stateDir, '0_2', { fingerprint: 'other' })).toThrow(StateStoreError);
    expect(() => openReadOnlyTaskState(stateDir, '0_2', { fingerprint: 'other' })).toThrow("topology fingerprint 'fp', expected 'other'");
    expect(() => openReadOnlyTaskState(stateDir, '../x')).toThrow(StateStoreError);
  });

  it('throws after close, and closing twice is harmless', () => {
    const { view, owner } = ownerAndView();
    const store = view.store('counts');
    view.close();
    view.close();
    expect(() => store.get(b(1))).toThrow("ReadOnlyTaskState.store('counts').get() called after close() (task 0_2)");
    expect(() => view.checkpoint()).toThrow(IllegalStateError);
    expect(() => view.snapshot()).toThrow(IllegalStateError);
    // The owner is unaffected: lmdb-js counts the handles of the shared environment.
    owner.commit(writes('counts', [[b(5), b(5)]]));
    expect([...owner.store('counts').get(b(5))!]).toEqual([5]);
  });
});
