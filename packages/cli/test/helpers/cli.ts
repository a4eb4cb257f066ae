import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI: tests run what users run (the package's test script builds first). */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const ROOT_NODE_MODULES = fileURLToPath(new URL('../../../../node_modules', import.meta.url));

/** What a CLI run printed and how it exited. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli.js ...args` to completion. */
export function weir(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const { env = {}, cwd, timeoutMs = 60_000 } = options;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, WEIR_DEBUG: '', ...env }, cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'weir-cli-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/**
 * A temporary directory whose modules can import `@weir/*` (a `node_modules` link to the
 * monorepo's) and that is an ES module package (`"type": "module"`, as a Weir project is).
 */
export function moduleDir(options: { esm?: boolean } = {}): string {
  const { esm = true } = options;
  const dir = tempDir('weir-cli-module-');
  symlinkSync(ROOT_NODE_MODULES, path.join(dir, 'node_modules'), 'dir');
  if (esm) writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  return dir;
}

/** Writes `text` to `dir/name` (creating directories) and returns the path. */
export function writeFile(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}
