import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive, isKafkaBroker, stopPid } from '../src/internal/broker-process.js';
import { clearRunState, readRunState, writeRunState } from '../src/internal/run-state.js';

describe('run state', () => {
  it('round-trips the detached broker record and its pid file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weir-testkit-state-'));
    try {
      expect(readRunState(dir)).toBeUndefined();
      const state = {
        pid: 1234,
        brokers: ['127.0.0.1:9092'],
        dir: '/tmp/weir-kafka-x',
        logFile: '/tmp/weir-kafka-x/broker.log',
        version: '4.1.1',
        startedAt: '2026-01-01T00:00:00.000Z',
      };
      writeRunState(dir, state);
      expect(readRunState(dir)).toEqual(state);
      expect(readFileSync(join(dir, 'kafka.pid'), 'utf8')).toBe('1234\n');
      clearRunState(dir);
      expect(readRunState(dir)).toBeUndefined();
      expect(existsSync(join(dir, 'kafka.pid'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('process checks', () => {
  it('never takes a process that is not a Kafka broker for one', async () => {
    expect(isAlive(process.pid)).toBe(true);
    expect(isKafkaBroker(process.pid)).toBe(false);
    // A pid above the kernel's pid_max cannot exist.
    expect(isAlive(2 ** 22 + 1)).toBe(false);
    await expect(stopPid(process.pid, 1_000)).resolves.toBe('not-running');
  });
});
