import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempStateDir } from './support/state-dirs.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/abandoned-cursors.mjs', import.meta.url));

// In a child process: the failure this guards against is a segmentation fault, which would end a
// vitest worker without a word. The child is the built package (dist): `npm test` builds it first.
describe('range iterators abandoned mid-way', () => {
  it('are never closed through a closed environment, whatever the garbage collector does', () => {
    const child = spawnSync(process.execPath, ['--expose-gc', FIXTURE, tempStateDir()], { encoding: 'utf8', timeout: 60_000 });
    expect({ signal: child.signal, status: child.status, stderr: child.stderr }).toEqual({ signal: null, status: 0, stderr: '' });
    expect(child.stdout.trim()).toBe('survived');
  });
});
