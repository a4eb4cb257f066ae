import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach } from 'vitest';

const perTest: string[] = [];
const perFile: string[] = [];

afterEach(() => {
  for (const dir of perTest.splice(0)) rmSync(dir, { recursive: true, force: true });
});
afterAll(() => {
  for (const dir of perFile.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp directory, removed after the test (or after the file, for `beforeAll` fixtures). */
export function tempDir(prefix = 'weir-parquet-', scope: 'test' | 'file' = 'test'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  (scope === 'test' ? perTest : perFile).push(dir);
  return dir;
}
