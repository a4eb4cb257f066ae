import { IllegalStateError, StateStoreError } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { b, closeAfterTest, rows, testFactory, writes } from './support/state-dirs.js';

function openTask(stores = ['a', 'b']) {
  const setup = testFactory();
  const backend = setup.factory.open('0_1', stores, 'fp-1');
  closeAfterTest(() => backend.close());
  return { ...setup, backend };
}

describe('LmdbTaskStateBackend', () => {
  it('creates fresh state with an empty checkpoint', () => {
    const { backend, resets, stateDir } = openTask();
    expect(backend.origin).toBe('created');
    expect(backend.path).toBe(`${stateDir}/0_1`);
    expect(backend.checkpoint()).toEqual({});
    expect(rows(backend.store('a').range())).toEqual([]);
    expect(resets).toEqual([{ taskId: '0_1', path: `${stateDir}/0_1`, reason: 'missing', detail: 'no state directory', wiped: false }]);
  });

  it('applies range deletes, then writes in order, then the checkpoint', () => {
    const { backend } = openTask();
    backend.commit(writes('a', [1, 2, 3, 4, 5].map((k) => [b(k), b(k)])));
    backend.commit({
      rangeDeletes: [{ store: 'a', from: b(2), to: b(4) }],
      writes: [
        // Inside the deleted range: written after the delete, so it survives.
        { store: 'a', key: b(3), value: b(30) },
        { store: 'a', key: b(5), value: b(50) },
        { store: 'a', key: b(5), value: b(51) },
        { store: 'a', key: b(1), value: null },
        { store: 'b', key: b(9), value: b(9) },
      ],
      checkpoint: { a: '10', b: '3' },
    });
    expect(rows(backend.store('a').range())).toEqual([
      [[3], [30]],
      [[4], [4]],
      [[5], [51]],
    ]);
    expect(rows(backend.store('b').range())).toEqual([[[9], [9]]]);
    expect(backend.checkpoint()).toEqual({ a: '10', b: '3' });
  });

  it('deletes exactly [from, to) in a range delete, across many steps', () => {
    const { backend } = openTask();
    const key = (i: number) => Uint8Array.of(i >> 16, (i >> 8) & 0xff, i & 0xff);
    const all = Array.from({ length: 25_000 }, (_, i) => i);
    backend.commit(writes('a', all.map((i) => [key(i), b(1)])));
    backend.commit({ writes: [], rangeDeletes: [{ store: 'a', from: key(10), to: key(24_990) }], checkpoint: {} });
    const left = [...backend.store('a').range()].map(([k]) => (k[0]! << 16) | (k[1]! << 8) | k[2]!);
    expect(left).toEqual([...all.slice(0, 10), ...all.slice(24_990)]);
    // Shorter and longer neighbours of the bounds: [from] is inclusive, [to] and its extensions are not.
    backend.commit(writes('a', [[b(0, 0, 9, 0xff), b(1)], [b(0x61, 0x97, 0x1e), b(1)], [b(0x61, 0x97, 0x1e, 0), b(1)]]));
    backend.commit({ writes: [], rangeDeletes: [{ store: 'a', from: b(0, 0, 9, 0xff), to: b(0x61, 0x97, 0x1e) }], checkpoint: {} });
    expect(backend.store('a').get(b(0, 0, 9, 0xff))).toBeUndefined();
    expect(backend.store('a').get(b(0x61, 0x97, 0x1e))).toBeDefined();
    expect(backend.store('a').get(b(0x61, 0x97, 0x1e, 0))).toBeDefined();
    expect(backend.store('a').get(key(9))).toBeDefined();
  });

  it('applies nothing of a commit that fails part-way', () => {
    const { backend, factory } = openTask();
    backend.commit(writes('a', [[b(1), b(1)], [b(2), b(2)]], { a: '5' }));
    const failing = {
      rangeDeletes: [{ store: 'a', from: b(0), to: b(9) }],
      writes: [
        { store: 'b', key: b(7), value: b(7) },
        { store: 'a', key: new Uint8Array(5000), value: b(0) },
      ],
      checkpoint: { a: '6' },
    };
    expect(() => backend.commit(failing)).toThrow(StateStoreError);
    const check = (state: typeof backend) => {
      expect(rows(state.store('a').range())).toEqual([
        [[1], [1]],
        [[2], [2]],
      ]);
      expect(rows(state.store('b').range())).toEqual([]);
      expect(state.checkpoint()).toEqual({ a: '5' });
    };
    check(backend);
    backend.close();
    const reopened = factory.open('0_1', ['a', 'b'], 'fp-1');
    closeAfterTest(() => reopened.close());
    check(reopened);
  });

  it('keeps data and checkpoint across close and reopen, merging checkpoint entries', () => {
    const { backend, factory, resets } = openTask();
    backend.commit(writes('a', [[b(1), b(1)]], { a: '18446744073709551615' }));
    backend.commit(writes('b', [[b(2), b(2)]], { b: '0' }));
    backend.commit(writes('a', [[b(3), b(3)]], { a: '7' }));
    backend.close();
    const reopened = factory.open('0_1', ['a', 'b'], 'fp-1');
    closeAfterTest(() => reopened.close());
    expect(reopened.origin).toBe('reopened');
    expect(reopened.checkpoint()).toEqual({ a: '7', b: '0' });
    expect(rows(reopened.store('a').range())).toEqual([
      [[1], [1]],
      [[3], [3]],
    ]);
    expect(rows(reopened.store('b').range())).toEqual([[[2], [2]]]);
    expect(resets.map((r) => r.reason)).toEqual(['missing']);
  });

  it('creates stores on first use, also ones not declared at open', () => {
    const { backend, factory } = openTask(['a']);
    backend.commit(writes('late', [[b(1), b(1)]], { late: '1' }));
    expect(rows(backend.store('late').range())).toEqual([[[1], [1]]]);
    backend.close();
    const reopened = factory.open('0_1', ['a', 'late'], 'fp-1');
    closeAfterTest(() => reopened.close());
    expect(rows(reopened.store('late').range())).toEqual([[[1], [1]]]);
  });

  it('restores a batch of changelog records with its checkpoint, tombstones included', () => {
    const { backend } = openTask();
    backend.commit(writes('a', [[b(1), b(1)]]));
    const records = Array.from({ length: 10_000 }, (_, i) => ({ key: Uint8Array.of(2, i >> 8, i & 0xff), value: b(i & 0xff) }));
    backend.restore('a', [...records, { key: b(1), value: null }, { key: Uint8Array.of(2, 0, 5), value: null }], '10002');
    expect(backend.checkpoint()).toEqual({ a: '10002' });
    const store = backend.store('a');
    expect(store.approximateNumEntries()).toBe(9_999);
    expect(store.get(b(1))).toBeUndefined();
    expect(store.get(Uint8Array.of(2, 0, 5))).toBeUndefined();
    expect([...store.get(Uint8Array.of(2, 0x27, 0x0f))!]).toEqual([0x0f]);
  });

  it('rejects invalid checkpoint offsets before writing anything', () => {
    const { backend } = openTask();
    for (const offset of ['', '-1', '1.5', '01', 'undefined', ' 1']) {
      expect(() => backend.commit(writes('a', [[b(1), b(1)]], { a: offset }))).toThrow(
        `invalid checkpoint offset '${offset}' for store a in task 0_1: expected a non-negative decimal integer`,
      );
    }
    expect(() => backend.restore('a', [], 'x')).toThrow(StateStoreError);
    expect(backend.store('a').get(b(1))).toBeUndefined();
  });

  it('rejects reserved and empty store names', () => {
    const { backend, factory } = openTask();
    expect(() => backend.store('__weir_meta')).toThrow(
      "invalid store name '__weir_meta' in task 0_1: names must be non-empty and not start with '__weir_'",
    );
    expect(() => backend.commit(writes('', [[b(1), b(1)]]))).toThrow(StateStoreError);
    expect(() => factory.open('0_2', ['__weir_x'], 'fp')).toThrow(StateStoreError);
  });

  it('refuses a second owner of a task in one process, and frees the task on close', () => {
    const { backend, factory } = openTask();
    expect(() => factory.open('0_1', ['a'], 'fp-1')).toThrow(IllegalStateError);
    expect(() => factory.open('0_1', ['a'], 'fp-1')).toThrow(/task 0_1 is already open in this process/);
    backend.close();
    const again = factory.open('0_1', ['a'], 'fp-1');
    closeAfterTest(() => again.close());
    expect(again.origin).toBe('reopened');
  });

  it('rejects task ids that are not plain directory names', () => {
    const { factory } = testFactory();
    for (const id of ['', '.', '..', 'a/b', '..\\x']) expect(() => factory.open(id, [], 'fp')).toThrow(StateStoreError);
  });

  it('accepts a task id with a dot (lmdb-js would otherwise take it for a file name)', () => {
    const { factory, stateDir } = testFactory();
    const backend = factory.open('0_1.v2', ['a'], 'fp');
    closeAfterTest(() => backend.close());
    backend.commit(writes('a', [[b(1), b(1)]]));
    expect(backend.path).toBe(`${stateDir}/0_1.v2`);
    expect(rows(backend.store('a').range())).toEqual([[[1], [1]]]);
  });

  it('throws after close, and closing twice is harmless', () => {
    const { backend } = openTask();
    backend.close();
    backend.close();
    expect(() => backend.commit(writes('a', []))).toThrow('LmdbTaskStateBackend.commit() called after close() (task 0_1)');
    expect(() => backend.checkpoint()).toThrow(IllegalStateError);
    expect(() => backend.store('a')).toThrow(IllegalStateError);
    expect(() => backend.restore('a', [], '1')).toThrow(IllegalStateError);
  });

  it('refuses more stores than maxStores', () => {
    const { factory } = testFactory({ maxStores: 2 });
    expect(() => factory.open('0_0', ['a', 'b', 'c'], 'fp')).toThrow('task 0_0 has 3 stores, more than maxStores (2)');
    const backend = factory.open('0_0', ['a', 'b'], 'fp');
    closeAfterTest(() => backend.close());
    expect(() => backend.store('c')).toThrow(/cannot open store c of task 0_0/);
  });
});
