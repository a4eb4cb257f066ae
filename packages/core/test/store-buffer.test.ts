import { describe, expect, it } from 'vitest';
import { IllegalStateError } from '../src/index.js';
import { InMemoryTaskBackend } from '../src/state/internal/in-memory-backend.js';
import { type ChangelogEntry, StoreBuffer } from '../src/state/internal/store-buffer.js';

/**
 * The uncommitted layer over a byte store: reads merge it with the committed bytes, flushes
 * deduplicate per key in order of last update (Kafka Streams' record cache), and nothing reaches
 * the byte store before the commit. Keys are latin1 byte strings; values here are ASCII text.
 */

const enc = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
const dec = (bytes: Uint8Array | null | undefined) => (bytes === null || bytes === undefined ? bytes : Buffer.from(bytes).toString('latin1'));

interface Setup {
  backend: InMemoryTaskBackend;
  buffer: StoreBuffer;
  changelog: string[];
  flushed: string[];
}

/** A buffer over a byte store already holding `stored`; logs changelog entries and flush-listener calls. */
function setup(stored: Record<string, string> = {}, options: { caching?: boolean; maxCacheBytes?: number } = {}): Setup {
  const backend = new InMemoryTaskBackend();
  backend.commit({
    writes: Object.entries(stored).map(([k, v]) => ({ store: 's', key: enc(k), value: enc(v) })),
    rangeDeletes: [],
    checkpoint: {},
  });
  const changelog: string[] = [];
  const buffer = new StoreBuffer('s', backend.store('s'), {
    caching: options.caching ?? true,
    maxCacheBytes: options.maxCacheBytes ?? 1_000_000,
    changelog: (e: ChangelogEntry) => changelog.push(`${dec(e.key)}=${dec(e.value)}@${e.timestamp}`),
  });
  const flushed: string[] = [];
  buffer.flushListener = (key, newValue, oldValue, timestamp) => flushed.push(`${dec(key)}:${dec(oldValue)}->${dec(newValue)}@${timestamp}`);
  return { backend, buffer, changelog, flushed };
}

function commit({ backend, buffer }: Setup): void {
  buffer.flush();
  const part = buffer.prepareCommit();
  backend.commit({ ...part, checkpoint: {} });
  buffer.completeCommit();
}

function entries(iterable: Iterable<[string, Uint8Array]>): string[] {
  return [...iterable].map(([k, v]) => `${k}=${dec(v)}`);
}

function stored(backend: InMemoryTaskBackend): string[] {
  return [...backend.store('s').range()].map(([k, v]) => `${dec(k)}=${dec(v)}`);
}

describe('reads', () => {
  it('reads a buffered write before the commit, and the byte store after it', () => {
    const s = setup({ a: '1' });
    s.buffer.put('b', enc('2'), 5);
    expect(dec(s.buffer.get('b'))).toBe('2');
    expect(dec(s.buffer.get('a'))).toBe('1');
    expect(s.buffer.get('z')).toBeUndefined();
    expect(stored(s.backend)).toEqual(['a=1']);
    commit(s);
    expect(stored(s.backend)).toEqual(['a=1', 'b=2']);
    expect(dec(s.buffer.get('b'))).toBe('2');
  });

  it('merges buffered writes with stored entries in key order, forward and reverse', () => {
    const s = setup({ a: '1', c: '3', e: '5', g: '7' });
    s.buffer.put('b', enc('2'), 1);
    s.buffer.put('c', enc('33'), 1);
    s.buffer.put('d', null, 1);
    s.buffer.put('f', enc('6'), 1);
    expect(entries(s.buffer.range())).toEqual(['a=1', 'b=2', 'c=33', 'e=5', 'f=6', 'g=7']);
    expect(entries(s.buffer.range(undefined, undefined, true))).toEqual(['g=7', 'f=6', 'e=5', 'c=33', 'b=2', 'a=1']);
    expect(entries(s.buffer.range('b', 'f'))).toEqual(['b=2', 'c=33', 'e=5']);
    expect(entries(s.buffer.range('b', 'f', true))).toEqual(['e=5', 'c=33', 'b=2']);
  });

  it('hides a stored key deleted in this commit from get and range', () => {
    const s = setup({ a: '1', b: '2', c: '3' });
    s.buffer.put('b', null, 1);
    expect(s.buffer.get('b')).toBeNull();
    expect(entries(s.buffer.range())).toEqual(['a=1', 'c=3']);
    expect(entries(s.buffer.range(undefined, undefined, true))).toEqual(['c=3', 'a=1']);
    commit(s);
    expect(stored(s.backend)).toEqual(['a=1', 'c=3']);
    expect(s.buffer.get('b')).toBeUndefined();
  });

  it('counts entries roughly: stored plus buffered', () => {
    const s = setup({ a: '1', b: '2' });
    s.buffer.put('c', enc('3'), 1);
    expect(s.buffer.approximateNumEntries()).toBe(3);
  });
});

describe('flush', () => {
  it('flushes each dirty key once, in order of its last update, with the stored value as old value', () => {
    const s = setup({ a: '0' });
    s.buffer.put('a', enc('1'), 1);
    s.buffer.put('b', enc('1'), 2);
    s.buffer.put('a', enc('2'), 3);
    expect(s.buffer.hasDirty).toBe(true);
    s.buffer.flush();
    expect(s.buffer.hasDirty).toBe(false);
    expect(s.flushed).toEqual(['b:null->1@2', 'a:0->2@3']);
    expect(s.changelog).toEqual(['b=1@2', 'a=2@3']);
  });

  it('gives the value as of the previous flush as the old value of a later flush in the same commit', () => {
    const s = setup();
    s.buffer.put('a', enc('1'), 1);
    s.buffer.flush();
    s.buffer.put('a', enc('2'), 2);
    s.buffer.flush();
    expect(s.flushed).toEqual(['a:null->1@1', 'a:1->2@2']);
  });

  it('neither forwards nor logs the delete of a key that does not exist', () => {
    const s = setup({ b: '1' });
    s.buffer.put('a', null, 1);
    s.buffer.put('b', null, 2);
    s.buffer.flush();
    expect(s.flushed).toEqual(['b:1->null@2']);
    expect(s.changelog).toEqual(['b=null@2']);
  });

  it('does not call the flush listener of a store that does not cache, but logs its writes', () => {
    const s = setup({}, { caching: false });
    s.buffer.put('a', enc('1'), 1);
    s.buffer.put('a', enc('2'), 2);
    s.buffer.flush();
    expect(s.flushed).toEqual([]);
    expect(s.changelog).toEqual(['a=2@2']);
  });

  it('flushes early once dirty entries outgrow the cache budget', () => {
    // Each new entry counts key + value + 48 bytes of overhead: 1 + 10 + 48 = 59.
    const s = setup({}, { maxCacheBytes: 150 });
    s.buffer.put('a', enc('0123456789'), 1);
    s.buffer.put('b', enc('0123456789'), 2);
    expect(s.flushed).toEqual([]);
    s.buffer.put('c', enc('0123456789'), 3);
    expect(s.flushed).toEqual(['a:null->0123456789@1', 'b:null->0123456789@2', 'c:null->0123456789@3']);
    expect(s.buffer.hasDirty).toBe(false);
  });
});

describe('commit', () => {
  it('keeps flushed but uncommitted entries readable until completeCommit', () => {
    const s = setup({ a: '1' });
    s.buffer.put('a', enc('2'), 1);
    s.buffer.put('b', enc('3'), 1);
    s.buffer.flush();
    expect(dec(s.buffer.get('a'))).toBe('2');
    expect(entries(s.buffer.range())).toEqual(['a=2', 'b=3']);
    const part = s.buffer.prepareCommit();
    expect(dec(s.buffer.get('a'))).toBe('2');
    expect(stored(s.backend)).toEqual(['a=1']);
    s.backend.commit({ ...part, checkpoint: {} });
    s.buffer.completeCommit();
    expect(stored(s.backend)).toEqual(['a=2', 'b=3']);
    expect(entries(s.buffer.range())).toEqual(['a=2', 'b=3']);
  });

  it('hands over every write of the commit in key order, deletes as null values', () => {
    const s = setup({ m: '1' });
    s.buffer.put('z', enc('26'), 1);
    s.buffer.put('m', null, 1);
    s.buffer.put('a', enc('1'), 1);
    s.buffer.flush();
    const { writes } = s.buffer.prepareCommit();
    expect(writes.map((w) => `${w.store}:${dec(w.key)}=${dec(w.value)}`)).toEqual(['s:a=1', 's:m=null', 's:z=26']);
  });

  it('refuses writes between prepareCommit and completeCommit', () => {
    const s = setup();
    s.buffer.prepareCommit();
    expect(() => s.buffer.put('a', enc('1'), 1)).toThrow(IllegalStateError);
    expect(() => s.buffer.put('a', enc('1'), 1)).toThrow('store s written between prepareCommit and completeCommit');
  });

  it('refuses prepareCommit while writes are not flushed', () => {
    const s = setup();
    s.buffer.put('a', enc('1'), 1);
    expect(() => s.buffer.prepareCommit()).toThrow('store s has unflushed writes at prepareCommit');
  });
});

describe('range delete', () => {
  it('hides stored and buffered keys in [from, to) at once, keeping the upper bound', () => {
    const s = setup({ a: '1', b: '2', c: '3', d: '4' });
    s.buffer.put('bb', enc('x'), 1);
    s.buffer.deleteRange('b', 'd');
    expect(entries(s.buffer.range())).toEqual(['a=1', 'd=4']);
    expect(s.buffer.get('c')).toBeUndefined();
    expect(s.buffer.get('bb')).toBeUndefined();
    expect(s.buffer.hasDirty).toBe(false);
  });

  it('forwards cached updates before dropping them (a window can expire within one commit interval of its last update)', () => {
    const s = setup({ b: '2' });
    s.buffer.put('b', enc('3'), 7);
    s.buffer.put('x', enc('9'), 8);
    s.buffer.deleteRange('a', 'c');
    expect(s.flushed).toEqual(['b:2->3@7', 'x:null->9@8']);
    expect(s.buffer.get('b')).toBeUndefined();
    commit(s);
    expect(stored(s.backend)).toEqual(['x=9']);
  });

  it('drops uncached writes in the range without forwarding them', () => {
    const s = setup({}, { caching: false });
    s.buffer.put('b', enc('3'), 7);
    s.buffer.deleteRange('a', 'c');
    s.buffer.flush();
    expect(s.flushed).toEqual([]);
    expect(s.changelog).toEqual([]);
  });

  it('applies the range delete before the writes of the same commit', () => {
    const s = setup({ a: '1', b: '2', c: '3', d: '4' });
    s.buffer.deleteRange('b', 'd');
    s.buffer.put('c', enc('new'), 2);
    expect(entries(s.buffer.range())).toEqual(['a=1', 'c=new', 'd=4']);
    commit(s);
    expect(stored(s.backend)).toEqual(['a=1', 'c=new', 'd=4']);
    expect(s.changelog).toEqual(['c=new@2']);
  });

  it('reports a key re-written after a range delete with no old value', () => {
    const s = setup({ c: '3' });
    s.buffer.deleteRange('a', 'z');
    s.buffer.put('c', enc('4'), 1);
    s.buffer.flush();
    expect(s.flushed).toEqual(['c:null->4@1']);
  });
});
