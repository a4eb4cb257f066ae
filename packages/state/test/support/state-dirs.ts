import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StateCommit, StoreWrite } from '@weir/core';
import { afterEach } from 'vitest';
import { LmdbStateBackendFactory, type LmdbStateBackendOptions, type StateResetEvent } from '../../src/index.js';

const dirs: string[] = [];
const closers: Array<() => void> = [];

afterEach(() => {
  for (const close of closers.splice(0).reverse()) close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh state directory, deleted after the test. */
export function tempStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'weir-state-'));
  dirs.push(dir);
  return dir;
}

/** Runs `close` after the test (before the directories are deleted); closing twice is harmless. */
export function closeAfterTest(close: () => void): void {
  closers.push(close);
}

/** A factory on a fresh directory that records reset events instead of logging them. */
export function testFactory(options: Partial<LmdbStateBackendOptions> = {}): {
  factory: LmdbStateBackendFactory;
  stateDir: string;
  resets: StateResetEvent[];
} {
  const stateDir = options.stateDir ?? tempStateDir();
  const resets: StateResetEvent[] = [];
  const factory = new LmdbStateBackendFactory({ stateDir, onReset: (event) => resets.push(event), ...options });
  return { factory, stateDir, resets };
}

/** Bytes from numbers (0..255). */
export function b(...bytes: number[]): Uint8Array {
  return Uint8Array.from(bytes);
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Plain arrays of a range, comparable with toEqual. */
export function rows(range: Iterable<readonly [Uint8Array, Uint8Array]>): Array<[number[], number[]]> {
  return [...range].map(([key, value]) => [[...key], [...value]]);
}

/** A commit of writes only. */
export function writes(store: string, entries: Array<[Uint8Array, Uint8Array | null]>, checkpoint = {}): StateCommit {
  const list: StoreWrite[] = entries.map(([key, value]) => ({ store, key, value }));
  return { writes: list, rangeDeletes: [], checkpoint };
}
