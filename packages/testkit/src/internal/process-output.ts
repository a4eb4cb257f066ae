import { spawn } from 'node:child_process';

/** The outcome of a finished child process, with its output merged in arrival order. */
export interface ProcessResult {
  /** The exit code, or null if the process was killed by a signal. */
  code: number | null;
  /** The signal that killed the process, if any. */
  signal: NodeJS.Signals | null;
  /** stdout and stderr together. */
  output: string;
}

/**
 * Runs a command to completion and collects its output. Rejects only when the command cannot be
 * started at all (the error carries `code`, e.g. ENOENT), so callers can tell "missing" from
 * "failed".
 */
export function runProcess(
  command: string,
  args: readonly string[],
  { cwd, timeoutMs = 0 }: { cwd?: string; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    const timer = timeoutMs > 0 ? setTimeout(() => child.kill('SIGKILL'), timeoutMs) : undefined;
    child.once('error', (error) => {
      if (timer !== undefined) clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      resolve({ code, signal, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

/** The last `count` non-empty lines of `text`. */
export function lastLines(text: string, count: number): string {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(-count)
    .join('\n');
}
