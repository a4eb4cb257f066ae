import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

describe('@weir/parquet package', () => {
  it('exposes its public API from src/index.ts and declares types first in exports', () => {
    expect(Object.keys(api).length).toBeGreaterThan(0);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(Object.keys(pkg.exports['.'])[0]).toBe('types');
  });
});
