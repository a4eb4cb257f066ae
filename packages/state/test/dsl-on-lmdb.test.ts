/**
 * The DSL's window, aggregation, table and join scenarios of @weir/core, run again with every
 * TestDriver on LMDB state instead of in memory: one implementation of the semantics, two
 * storage backends, the same expected outputs (written by hand in core's tests).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { LmdbStateBackendFactory } from '../src/index.js';

/** A module of @weir/core's sources, by a path in a variable: those files belong to core's typecheck, not this package's. */
function coreSource(path: string): string {
  return new URL(`../../core/${path}`, import.meta.url).pathname;
}

// The very TestDriver class core's test files import (its sources, not the built package).
const { TestDriver } = (await import(coreSource('src/testing.ts'))) as typeof import('@weir/core/testing');
const stateDirs: string[] = [];
TestDriver.defaultStateBackend = () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'weir-dsl-lmdb-'));
  stateDirs.push(stateDir);
  return new LmdbStateBackendFactory({ stateDir, onReset: () => {} });
};
afterAll(() => {
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
});

const scenarios = [
  'aggregations',
  'time-windows',
  'emit-strategies',
  'suppress',
  'sliding-windows',
  'session-windows',
  'ktable',
  'stream-stream-join',
  'stream-table-join',
  'table-table-join',
];
for (const name of scenarios) await import(coreSource(`test/${name}.test.ts`));
