import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tailOfFile } from '../src/internal/log-tail.js';

describe('tailOfFile', () => {
  it('returns the last non-empty lines, or says why there are none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weir-testkit-log-'));
    try {
      const file = join(dir, 'broker.log');
      writeFileSync(file, `${Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n')}\n\n`);
      expect(await tailOfFile(file, 3)).toBe('line 97\nline 98\nline 99');
      writeFileSync(file, '');
      expect(await tailOfFile(file)).toBe('(the log is empty)');
      expect(await tailOfFile(join(dir, 'missing.log'))).toMatch(/^\(could not read the log: ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
