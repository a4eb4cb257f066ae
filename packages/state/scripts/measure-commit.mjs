// Raw throughput of the LMDB task backend (not a benchmark harness: numbers for a quick look).
//
//   npm run build -w @weir/state && node packages/state/scripts/measure-commit.mjs [dir]
//
// Default dir: a fresh directory under the OS temp dir (mind that tmpfs does not fsync).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbStateBackendFactory } from '../dist/index.js';

const base = process.argv[2] ?? tmpdir();
const stateDir = mkdtempSync(join(base, 'weir-measure-'));
const factory = new LmdbStateBackendFactory({ stateDir, onReset: () => {} });
const backend = factory.open('0_0', ['s'], 'measure');
const value = randomBytes(16);
const keys = (n) => Array.from({ length: n }, () => randomBytes(32));
const writesOf = (ks) => ks.map((key) => ({ store: 's', key, value }));
let offset = 0;
const commit = (writes, rangeDeletes = []) =>
  backend.commit({ writes, rangeDeletes, checkpoint: { s: String(++offset) } });

function time(label, rounds, perRound, run) {
  const times = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    run(r);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(
    `${label.padEnd(52)} median ${median.toFixed(2).padStart(8)} ms   p90 ${times[Math.floor(times.length * 0.9)].toFixed(2).padStart(8)} ms   ${Math.round((perRound / median) * 1000).toLocaleString('en').padStart(10)} /s`,
  );
}

console.log(`state dir ${stateDir}, node ${process.version}`);
const big = Array.from({ length: 6 }, () => writesOf(keys(100_000)));
time('commit 100k new 32B keys / 16B values', 6, 100_000, (r) => commit(big[r]));
time('commit 100k overwrites of existing keys', 6, 100_000, (r) => commit(big[r]));
const small = Array.from({ length: 200 }, () => writesOf(keys(1_000)));
time('commit 1k new keys', 200, 1_000, (r) => commit(small[r]));
time('commit 1k overwrites', 200, 1_000, (r) => commit(small[r]));
// Keys sharing a prefix (as window keys of one segment do) dirty few pages: the cost of a small
// commit in a large store is mostly copy-on-write of one leaf page per scattered key.
const clustered = Array.from({ length: 200 }, (_, r) =>
  writesOf(Array.from({ length: 1_000 }, (_, i) => Buffer.concat([Buffer.from([0xff]), Buffer.from(String(r * 1000 + i).padStart(31, '0'))]))),
);
time('commit 1k new clustered keys (shared prefix, in order)', 200, 1_000, (r) => commit(clustered[r]));
time('commit checkpoint only (empty writes)', 100, 1, () => commit([]));
const batches = Array.from({ length: 20 }, () => keys(10_000).map((key, i) => ({ key, value: i % 10 === 0 ? null : value })));
time('restore 10k changelog records (10% tombstones)', 20, 10_000, (r) => backend.restore('s', batches[r], String(++offset)));

const store = backend.store('s');
const all = big.flat().map((w) => w.key);
console.log(`store: ${store.approximateNumEntries().toLocaleString('en')} entries`);
time('get, 100k random existing keys', 5, 100_000, () => {
  for (let i = 0; i < 100_000; i++) store.get(all[(i * 7919) % all.length]);
});
time(`range over the whole store (${store.approximateNumEntries().toLocaleString('en')} entries)`, 5, store.approximateNumEntries(), () => {
  let n = 0;
  for (const _ of store.range()) n++;
  if (n === 0) throw new Error('empty');
});
// Random keys, so a range of sorted[i .. i + 100k) holds exactly those 100k keys.
const sorted = [...all].sort(Buffer.compare);
time('range delete of 100k entries', 3, 100_000, (r) => {
  const from = sorted[r * 100_000];
  const to = sorted[(r + 1) * 100_000];
  commit([], [{ store: 's', from, to }]);
});
backend.close();
rmSync(stateDir, { recursive: true, force: true });
