import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IllegalStateError, StateStoreError } from '@weir/core';
import { open } from 'lmdb';
import { describe, expect, it, vi } from 'vitest';
import { LmdbStateBackendFactory, openReadOnlyTaskState } from '../src/index.js';
import { b, closeAfterTest, rows, testFactory, utf8, writes } from './support/state-dirs.js';

/** Opens task 0_1 with fingerprint fp-1, commits some state, closes it. */
function withCommittedState() {
  const setup = testFactory();
  const backend = setup.factory.open('0_1', ['a'], 'fp-1');
  backend.commit(writes('a', Array.from({ length: 2000 }, (_, i) => [Uint8Array.of(i >> 8, i & 0xff), new Uint8Array(100).fill(i & 0xff)]), { a: '2000' }));
  backend.close();
  setup.resets.length = 0;
  return { ...setup, path: join(setup.stateDir, '0_1') };
}

/** Reopens task 0_1 and checks that it came back empty and usable after a wipe for `reason`. */
function expectWiped(setup: ReturnType<typeof withCommittedState>, reason: string, detail: string | RegExp, fingerprint = 'fp-1') {
  const backend = setup.factory.open('0_1', ['a'], fingerprint);
  closeAfterTest(() => backend.close());
  expect(backend.origin).toBe('wiped');
  expect(backend.checkpoint()).toEqual({});
  expect(rows(backend.store('a').range())).toEqual([]);
  expect(setup.resets).toHaveLength(1);
  expect(setup.resets[0]).toMatchObject({ taskId: '0_1', path: setup.path, reason, wiped: true });
  expect(setup.resets[0]!.detail).toMatch(detail);
  // The recreated state is complete: it is reused next time.
  backend.commit(writes('a', [[b(1), b(1)]], { a: '1' }));
  backend.close();
  const again = setup.factory.open('0_1', ['a'], fingerprint);
  closeAfterTest(() => again.close());
  expect(again.origin).toBe('reopened');
  expect(again.checkpoint()).toEqual({ a: '1' });
}

describe('state reset', () => {
  it('treats an empty state directory like a missing one', () => {
    const { factory, stateDir, resets } = testFactory();
    mkdirSync(join(stateDir, '0_1'));
    const backend = factory.open('0_1', ['a'], 'fp');
    closeAfterTest(() => backend.close());
    expect(backend.origin).toBe('created');
    expect(resets).toMatchObject([{ reason: 'missing', detail: 'empty state directory', wiped: false }]);
  });

  it('wipes state written by another topology fingerprint', () => {
    const setup = withCommittedState();
    expectWiped(setup, 'fingerprint-mismatch', "topology fingerprint 'fp-1', expected 'fp-2'", 'fp-2');
  });

  it('wipes state written in another format version', () => {
    const setup = withCommittedState();
    const env = open<Uint8Array, Uint8Array>({ path: setup.path, maxDbs: 4, keyEncoding: 'binary', encoding: 'binary' });
    const meta = env.openDB<Uint8Array, Uint8Array>({ name: '__weir_meta', keyEncoding: 'binary', encoding: 'binary' });
    env.transactionSync(() => {
      meta.put(utf8('format'), utf8('0'));
    });
    void env.close();
    expectWiped(setup, 'format-mismatch', "format '0', this version reads format '1'");
  });

  it('wipes state copied from another task', () => {
    const setup = withCommittedState();
    cpSync(setup.path, join(setup.stateDir, '0_9'), { recursive: true });
    const backend = setup.factory.open('0_9', ['a'], 'fp-1');
    closeAfterTest(() => backend.close());
    expect(backend.origin).toBe('wiped');
    expect(setup.resets).toMatchObject([{ taskId: '0_9', reason: 'task-mismatch', detail: "written for task '0_1', opened as task '0_9'" }]);
    expect(backend.checkpoint()).toEqual({});
  });

  it('wipes a data file overwritten with garbage', () => {
    const setup = withCommittedState();
    const data = join(setup.path, 'data.mdb');
    const garbage = Buffer.alloc(statSync(data).size);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) & 0xff;
    writeFileSync(data, garbage);
    expectWiped(setup, 'corrupt', /^LMDB cannot open it: /);
  });

  it('wipes a data file whose two meta pages are garbage', () => {
    const setup = withCommittedState();
    const data = join(setup.path, 'data.mdb');
    const contents = readFileSync(data);
    contents.fill(0x5a, 0, 2 * 4096);
    writeFileSync(data, contents);
    expectWiped(setup, 'corrupt', 'LMDB cannot open it: damaged data file header: meta page 0 has page number 6510615555426900570');
  });

  it('wipes a data file whose second meta page is garbage (LMDB itself would trust it and crash)', () => {
    const setup = withCommittedState();
    const data = join(setup.path, 'data.mdb');
    const contents = readFileSync(data);
    const pageSize = contents.readUInt32LE(48);
    contents.fill(0x5a, pageSize, 2 * pageSize);
    writeFileSync(data, contents);
    expectWiped(setup, 'corrupt', 'LMDB cannot open it: damaged data file header: meta page 1 has page number 6510615555426900570');
  });

  it('wipes a data file cut short inside its meta pages', () => {
    const setup = withCommittedState();
    writeFileSync(join(setup.path, 'data.mdb'), 'hello');
    expectWiped(setup, 'corrupt', 'LMDB cannot open it: damaged data file header: data file too short for meta page 0');
  });

  // Not tested: garbage in data pages behind valid meta pages. LMDB keeps no page checksums, so
  // reading such pages may throw (MDB_PAGE_NOTFOUND, caught as 'corrupt') or crash the process,
  // depending on where the garbage points; an in-process test of it is flaky by nature.

  it('keeps state whose lock file is garbage (LMDB rebuilds it)', () => {
    const setup = withCommittedState();
    writeFileSync(join(setup.path, 'lock.mdb'), Buffer.alloc(8192, 0x5a));
    const backend = setup.factory.open('0_1', ['a'], 'fp-1');
    closeAfterTest(() => backend.close());
    expect(backend.origin).toBe('reopened');
    expect(backend.checkpoint()).toEqual({ a: '2000' });
    expect(backend.store('a').approximateNumEntries()).toBe(2000);
  });

  it('wipes a truncated (empty) data file', () => {
    const setup = withCommittedState();
    truncateSync(join(setup.path, 'data.mdb'), 0);
    expectWiped(setup, 'incomplete', 'no __weir_meta sub-database');
  });

  it('wipes a directory without a data file', () => {
    const setup = withCommittedState();
    rmSync(join(setup.path, 'data.mdb'));
    expectWiped(setup, 'incomplete', 'no data.mdb (found lock.mdb)');
  });

  it('wipes an LMDB environment that is not Weir state', () => {
    const { factory, stateDir, resets } = testFactory();
    const path = join(stateDir, '0_1');
    const env = open({ path, maxDbs: 2 });
    env.transactionSync(() => {
      env.put('x', 1);
    });
    void env.close();
    const backend = factory.open('0_1', ['a'], 'fp');
    closeAfterTest(() => backend.close());
    expect(backend.origin).toBe('wiped');
    expect(resets).toMatchObject([{ reason: 'incomplete', detail: 'no __weir_meta sub-database', wiped: true }]);
  });

  it('wipes a file standing where the task directory should be', () => {
    const { factory, stateDir, resets } = testFactory();
    writeFileSync(join(stateDir, '0_1'), 'not a directory');
    const backend = factory.open('0_1', ['a'], 'fp');
    closeAfterTest(() => backend.close());
    expect(backend.origin).toBe('wiped');
    expect(resets[0]?.reason).toBe('corrupt');
    expect(statSync(join(stateDir, '0_1')).isDirectory()).toBe(true);
  });

  it('warns on the console by default, naming the task, path and reason', () => {
    const setup = withCommittedState();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const factory = new LmdbStateBackendFactory({ stateDir: setup.stateDir });
      const backend = factory.open('0_1', ['a'], 'fp-2');
      backend.close();
      factory.open('0_7', ['a'], 'fp-2').close();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toBe(
        `[weir] discarded state of task 0_1 at ${setup.path} (fingerprint-mismatch: topology fingerprint 'fp-1', expected 'fp-2'); it will be restored from the changelogs`,
      );
    } finally {
      warn.mockRestore();
    }
  });

  it('refuses to wipe state that a read-only view in this process still reads', () => {
    const setup = withCommittedState();
    const view = openReadOnlyTaskState(setup.stateDir, '0_1');
    closeAfterTest(() => view.close());
    expect(() => setup.factory.open('0_1', ['a'], 'fp-2')).toThrow(StateStoreError);
    expect(() => setup.factory.open('0_1', ['a'], 'fp-2')).toThrow(/1 read-only view\(s\) of it are open in this process/);
    expect(view.checkpoint()).toEqual({ a: '2000' });
    view.close();
    expectWiped(setup, 'fingerprint-mismatch', /fp-2/, 'fp-2');
    expect(readdirSync(setup.path).sort()).toEqual(['data.mdb', 'lock.mdb']);
  });

  it('wipes state on request, reporting why, but never state that is open', () => {
    const setup = withCommittedState();
    const backend = setup.factory.open('0_1', ['a'], 'fp-1');
    expect(() => setup.factory.wipe('0_1', 'checkpoint 2000 below the changelog start 5000')).toThrow(IllegalStateError);
    backend.close();
    setup.factory.wipe('0_1', 'checkpoint 2000 below the changelog start 5000');
    expect(setup.resets).toEqual([
      { taskId: '0_1', path: setup.path, reason: 'requested', detail: 'checkpoint 2000 below the changelog start 5000', wiped: true },
    ]);
    setup.factory.wipe('0_5', 'never existed');
    expect(setup.resets).toHaveLength(1);
    const fresh = setup.factory.open('0_1', ['a'], 'fp-1');
    closeAfterTest(() => fresh.close());
    expect(fresh.origin).toBe('created');
    expect(fresh.checkpoint()).toEqual({});
  });
});
