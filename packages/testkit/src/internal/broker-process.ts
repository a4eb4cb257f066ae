import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';

/** How a broker process ended. */
export interface ExitStatus {
  /** The exit code, or null when a signal ended it. */
  code: number | null;
  /** The signal that ended it, if any. */
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  error?: Error;
}

/** Everything needed to run `kafka.Kafka` on a prepared directory. */
export interface BrokerLaunch {
  /** The java executable. */
  javaPath: string;
  /** The directory with the Kafka jars (the classpath is `<libDir>/*`). */
  libDir: string;
  /** JVM options, before the classpath. */
  jvmOptions: readonly string[];
  /** The broker's `server.properties`. */
  serverPropertiesFile: string;
  /** Where the JVM's stdout and stderr are appended (log4j2 writes there too). */
  logFile: string;
  /** The broker's working directory, the temp dir; removed if the owning process dies. */
  workDir: string;
  /** When true the broker outlives this process (the CLI); else it is killed when we exit. */
  detached: boolean;
}

/** The JVM command line of a broker; the classpath wildcard is expanded by java itself. */
export function brokerCommand(launch: BrokerLaunch): string[] {
  return [...launch.jvmOptions, '-cp', join(launch.libDir, '*'), 'kafka.Kafka', launch.serverPropertiesFile];
}

/**
 * A watchdog, run by a second `node`, that SIGKILLs the broker and removes its directory once its
 * stdin closes, i.e. once the process that started the broker is gone for any reason, including
 * SIGKILL, where no 'exit' handler runs. It ignores SIGINT and SIGHUP so that a Ctrl-C, which
 * reaches the whole process group, still leaves it alive to clean up.
 */
const WATCHDOG_SOURCE = `
const { readFileSync, rmSync } = require('node:fs');
const pid = Number(process.argv[1]);
const dir = process.argv[2];
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
const alive = () => {
  try { process.kill(pid, 0); } catch { return false; }
  try { const s = readFileSync('/proc/' + pid + '/stat', 'utf8'); return s[s.lastIndexOf(')') + 2] !== 'Z'; } catch { return true; }
};
process.stdin.on('data', () => {});
process.stdin.on('close', () => {
  try { process.kill(pid, 'SIGKILL'); } catch {}
  const deadline = Date.now() + 15000;
  const timer = setInterval(() => {
    if (alive() && Date.now() < deadline) return;
    clearInterval(timer);
    try { rmSync(dir, { recursive: true, force: true }); } catch {}
    process.exit(0);
  }, 100);
});
`;

/** Brokers owned by this process, killed by the 'exit' handler so none outlives us. */
const owned = new Set<BrokerProcess>();
let exitHandlerInstalled = false;

function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  // 'exit' handlers must be synchronous: a SIGKILL is the only stop that fits.
  process.on('exit', () => {
    for (const broker of owned) broker.killNow();
  });
}

/** One running `kafka.Kafka` JVM. */
export class BrokerProcess {
  /** The process id of the JVM. */
  readonly pid: number | undefined;
  /** Resolves when the JVM has exited (or failed to start). */
  readonly exited: Promise<ExitStatus>;
  private status: ExitStatus | undefined;
  private readonly child: ChildProcess;
  private readonly watchdog: ChildProcess | undefined;

  private constructor(launch: BrokerLaunch) {
    const out = openSync(launch.logFile, 'a');
    try {
      this.child = spawn(launch.javaPath, brokerCommand(launch), {
        cwd: launch.workDir,
        // A detached broker gets its own session, so the CLI's exit and the terminal's Ctrl-C
        // do not reach it.
        detached: launch.detached,
        stdio: ['ignore', out, out],
      });
    } finally {
      // The child holds its own descriptor; ours is not needed any more.
      closeSync(out);
    }
    this.pid = this.child.pid;
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.status ??= { code: null, signal: null, error };
        resolve(this.status);
      });
      this.child.once('exit', (code, signal) => {
        this.status ??= { code, signal };
        resolve(this.status);
      });
    });
    // Never keep the event loop alive just for the broker: the 'exit' handler and the watchdog
    // stop it when this process ends.
    this.child.unref();
    if (!launch.detached && this.pid !== undefined) {
      owned.add(this);
      installExitHandler();
      this.watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, String(this.pid), launch.workDir], {
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      this.watchdog.unref();
      (this.watchdog.stdin as Socket | null)?.unref();
      // The watchdog is best-effort: failing to start it must not fail the broker.
      this.watchdog.on('error', () => {});
    }
    void this.exited.then(() => this.release());
  }

  /** Starts the JVM; check {@link exited} to learn whether it survived. */
  static spawn(launch: BrokerLaunch): BrokerProcess {
    return new BrokerProcess(launch);
  }

  /** How the JVM ended, or undefined while it runs. */
  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  /**
   * Stops the JVM: SIGTERM for a clean shutdown (or SIGKILL when `kill` is set, to simulate a
   * crash), then SIGKILL if it has not exited after `timeoutMs`.
   */
  async stop({ timeoutMs, kill = false }: { timeoutMs: number; kill?: boolean }): Promise<ExitStatus> {
    if (this.status !== undefined) return this.status;
    // The pending timer below keeps this process alive until the JVM is gone.
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    this.child.kill(kill ? 'SIGKILL' : 'SIGTERM');
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILLs the JVM synchronously (for 'exit' handlers and failed starts). */
  killNow(): void {
    if (this.status === undefined) this.child.kill('SIGKILL');
  }

  private release(): void {
    owned.delete(this);
    // The broker is gone, so the watchdog has nothing left to guard.
    this.watchdog?.kill('SIGTERM');
  }
}

/**
 * Whether a process with this pid is running. EPERM means it exists but is not ours; a zombie
 * (exited, not yet reaped by an init that may never reap it) counts as gone.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state letter follows the parenthesised command name, which may itself contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    // No /proc (macOS): kill(0) is all we know.
    return true;
  }
}

/**
 * Whether `pid` is a running Kafka broker, judged by its command line where /proc exists, so a
 * stale pid file whose pid was reused by another program is never acted on.
 */
export function isKafkaBroker(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('kafka.Kafka');
  } catch {
    // No /proc (macOS): trust the pid file.
    return true;
  }
}

/**
 * Stops a broker this process did not start (the CLI's detached one): SIGTERM, then SIGKILL
 * after `timeoutMs`, waiting until the pid is gone.
 *
 * @returns 'stopped' after a clean shutdown, 'killed' if SIGKILL was needed, 'not-running' if
 *   there was nothing to stop
 */
export async function stopPid(pid: number, timeoutMs: number): Promise<'stopped' | 'killed' | 'not-running'> {
  if (!isKafkaBroker(pid)) return 'not-running';
  process.kill(pid, 'SIGTERM');
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'stopped';
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  // SIGKILL cannot be ignored; the bound only guards against a process stuck in the kernel.
  const killDeadline = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < killDeadline) await sleep(100);
  return 'killed';
}
