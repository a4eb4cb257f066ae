import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../fixtures/run-app.mjs', import.meta.url));

/** What a child stream app runs. */
export interface ChildAppOptions {
  readonly topology: 'windowedCount' | 'parseAndMap' | 'windowedCountToParquet' | 'parquetClicks' | 'backfilledUserClicks';
  /** The child's entry script. Default: fixtures/run-app.mjs. */
  readonly script?: string;
  readonly topologyArgs: Record<string, unknown>;
  readonly applicationId: string;
  readonly brokers: readonly string[];
  readonly stateDir: string;
  readonly guarantee?: 'exactly_once' | 'at_least_once';
  readonly deadLetterTopic?: string;
}

/** A stream app in its own process, so that tests can kill it with SIGKILL. */
export class ChildApp {
  private child: ChildProcess | undefined;
  output = '';

  constructor(private readonly options: ChildAppOptions) {}

  start(): void {
    const o = this.options;
    this.child = spawn(process.execPath, [o.script ?? script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        WEIR_TOPOLOGY: o.topology,
        WEIR_TOPOLOGY_ARGS: JSON.stringify(o.topologyArgs),
        WEIR_APPLICATION_ID: o.applicationId,
        WEIR_BROKERS: o.brokers.join(','),
        WEIR_STATE_DIR: o.stateDir,
        WEIR_GUARANTEE: o.guarantee ?? 'exactly_once',
        ...(o.deadLetterTopic ? { WEIR_DLQ: o.deadLetterTopic } : {}),
      },
    });
    this.child.stdout?.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
  }

  /** Kills the process at once: no commit, no cleanup (a crash). */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** Freezes the process (SIGSTOP): it keeps its connections but stops heartbeating, like a long GC pause. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** Thaws a paused process (SIGCONT). */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /**
   * Asks the process to shut down gracefully and waits for it.
   * @throws Error with the process's last output when it has not exited `timeoutMs` after SIGTERM
   *   (it is then killed), so that a shutdown that hangs fails the test instead of stalling it
   */
  async stop(timeoutMs = 90_000): Promise<void> {
    const stopped = await this.signal('SIGTERM', timeoutMs);
    if (!stopped) {
      await this.signal('SIGKILL');
      throw new Error(`the app did not exit within ${timeoutMs} ms of SIGTERM; its last output:\n${this.output.slice(-3000)}`);
    }
  }

  /** Sends `signal`; resolves true once the process exited, false if it still runs after `timeoutMs`. */
  private async signal(signal: NodeJS.Signals, timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return true;
    let timer: NodeJS.Timeout | undefined;
    const exited = new Promise<boolean>((resolve) => {
      child.once('exit', () => resolve(true));
      if (Number.isFinite(timeoutMs)) timer = setTimeout(() => resolve(false), timeoutMs);
    });
    child.kill(signal);
    const result = await exited;
    clearTimeout(timer);
    return result;
  }
}
