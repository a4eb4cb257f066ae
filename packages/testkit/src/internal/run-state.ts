import { mkdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

/** What the CLI records about the detached broker it started. */
export interface RunState {
  /** The broker JVM's pid. */
  pid: number;
  /** Bootstrap addresses. */
  brokers: string[];
  /** The broker's temporary directory, removed by `stop`. */
  dir: string;
  /** The broker's log file. */
  logFile: string;
  /** The Kafka version running. */
  version: string;
  /** When it was started, ISO 8601. */
  startedAt: string;
}

const STATE_FILE = 'kafka.json';
const PID_FILE = 'kafka.pid';

/** The recorded state in `stateDir`, or undefined if there is none or it is unreadable. */
export function readRunState(stateDir: string): RunState | undefined {
  try {
    const state = JSON.parse(readFileSync(join(stateDir, STATE_FILE), 'utf8')) as Partial<RunState>;
    if (typeof state.pid !== 'number' || !Array.isArray(state.brokers) || typeof state.dir !== 'string') return undefined;
    return state as RunState;
  } catch {
    return undefined;
  }
}

/** Records `state` (a JSON file written by rename, so readers never see half of it, plus a pid file). */
export function writeRunState(stateDir: string, state: RunState): void {
  mkdirSync(stateDir, { recursive: true });
  const temp = join(stateDir, `${STATE_FILE}.${process.pid}.tmp`);
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temp, join(stateDir, STATE_FILE));
  writeFileSync(join(stateDir, PID_FILE), `${state.pid}\n`);
}

/** Forgets the recorded broker. */
export function clearRunState(stateDir: string): void {
  rmSync(join(stateDir, STATE_FILE), { force: true });
  rmSync(join(stateDir, PID_FILE), { force: true });
}
