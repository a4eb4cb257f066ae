import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { BytesStore } from '@weir/core';
import { expect } from 'vitest';

const FIXTURE = fileURLToPath(new URL('../fixtures/commit-loop.mjs', import.meta.url));

/** Keys of batch `b` of the commit loop with `baseKeys` (mirrors keyCount in the fixture). */
export function keyCount(b: number, baseKeys: number): number {
  return baseKeys + (b % 4) * Math.floor(baseKeys / 50);
}

/** A running commit loop, with the lines it printed so far. */
export interface CommitLoop {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Resolves once the child has printed a line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Kills the child with SIGKILL and waits for it to exit. */
  kill(): Promise<void>;
}

/** Starts the commit loop of test/fixtures/commit-loop.mjs in a child process. */
export function startCommitLoop(stateDir: string, taskId: string, baseKeys: number): CommitLoop {
  const child = spawn(process.execPath, [FIXTURE, stateDir, taskId, String(baseKeys)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit');
  return {
    child,
    lines,
    waitFor(pattern, timeoutMs = 20_000) {
      if (lines.some((line) => pattern.test(line))) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`commit loop printed no ${pattern} in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`commit loop exited (${code ?? signal}) before printing ${pattern}; stderr: ${stderr}`));
        });
      });
    },
    async kill() {
      child.kill('SIGKILL');
      const [code, signal] = await exited;
      expect({ code, signal, stderr }).toEqual({ code: null, signal: 'SIGKILL', stderr: '' });
    },
  };
}

/** The last batch the child printed as committed, or -1. */
export function lastCommitted(lines: readonly string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = /^committed (\d+)$/.exec(lines[i]!);
    if (match) return Number(match[1]);
  }
  return -1;
}

/** Asserts that `store` holds exactly batch `batch` of the commit loop: every key, each tagged `batch`. */
export function expectWholeBatch(store: BytesStore, batch: number, baseKeys: number): void {
  let count = 0;
  const wrongTags = new Map<number, number>();
  for (const [key, value] of store.range()) {
    const index = new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(0);
    const tag = new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(0);
    if (index !== count) throw new Error(`key ${index} where key ${count} was expected (batch ${batch})`);
    if (tag !== batch) wrongTags.set(tag, (wrongTags.get(tag) ?? 0) + 1);
    count++;
  }
  expect({ batch, count, wrongTags: Object.fromEntries(wrongTags) }).toEqual({
    batch,
    count: keyCount(batch, baseKeys),
    wrongTags: {},
  });
}
