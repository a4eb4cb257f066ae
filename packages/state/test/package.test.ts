import { readdirSync, readFileSync } from 'node:fs';
import type { StateBackendFactory, TaskStateBackend } from '@weir/core';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import type { LmdbStateBackendFactory, LmdbTaskStateBackend } from '../src/index.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

describe('@weir/state package', () => {
  it('exposes its public API from src/index.ts and declares types first in exports', () => {
    expect(Object.keys(api).sort()).toEqual([
      'LmdbStateBackendFactory',
      'LmdbTaskStateBackend',
      'MAX_KEY_BYTES',
      'ReadOnlyTaskState',
      'STATE_FORMAT_VERSION',
      'TaskStateSnapshot',
      'openReadOnlyTaskState',
      'warnOnWipe',
    ]);
    expect(Object.keys(pkg.exports)).toEqual(['.']);
    expect(Object.keys(pkg.exports['.'])[0]).toBe('types');
  });

  it('implements the state backend seam of @weir/core', () => {
    const factory: StateBackendFactory = {} as LmdbStateBackendFactory;
    const backend: TaskStateBackend = {} as LmdbTaskStateBackend;
    expect([factory, backend]).toHaveLength(2);
  });

  it('depends on @weir/core and lmdb only (core <- state <- kafka)', () => {
    expect(Object.keys(pkg.dependencies ?? {}).sort()).toEqual(['@weir/core', 'lmdb']);
    for (const file of readdirSync(new URL('../src', import.meta.url), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts')) continue;
      const source = readFileSync(new URL(`../src/${file}`, import.meta.url), 'utf8');
      const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
      for (const spec of imports) expect(spec, `${file} imports ${spec}`).toMatch(/^(\.\.?\/|node:|@weir\/core$|lmdb$)/);
    }
  });
});
