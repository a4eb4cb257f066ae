/**
 * The testkit's own lifecycle guarantees, each against a broker of its own (the run's shared
 * broker is left alone): restart keeps data and address, an owner that dies does not orphan its
 * broker, and the kafka:start / kafka:stop CLI leaves a detached broker it can stop again.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type KafkaBroker, startKafka } from '@weir/testkit';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { uniqueTopic, waitFor } from './support/kafka.js';

const repoRoot = new URL('..', import.meta.url).pathname;
const cli = join(repoRoot, 'packages/testkit/dist/cli.js');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed child of a dead parent may linger as a zombie until reaped: that counts as gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return true;
  }
}

async function topicsOf(brokers: string[]): Promise<string[]> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

let own: KafkaBroker | undefined;
afterEach(async () => {
  await own?.stop();
  own = undefined;
});

describe('@weir/testkit broker lifecycle', () => {
  it('restarts on the same address with its data, after a clean stop and after a crash', async () => {
    own = await startKafka();
    const { brokers, dir } = own;
    const topic = uniqueTopic('survives-restart');
    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value: 'before restart', partition: 1 }] });
    await producer.disconnect();
    await admin.disconnect();

    const firstPid = own.pid;
    await own.restart();
    expect(own.pid).not.toBe(firstPid);
    expect(own.brokers).toEqual(brokers);
    expect(await topicsOf(brokers)).toContain(topic);

    const secondPid = own.pid!;
    await own.restart({ kill: true });
    expect(isAlive(secondPid)).toBe(false);
    const admin2 = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin2.connect();
    const offsets = await admin2.fetchTopicOffsets(topic);
    await admin2.disconnect();
    expect(offsets.find((o) => o.partition === 1)?.high).toBe('1');

    const lastPid = own.pid!;
    await own.stop();
    own = undefined;
    expect(isAlive(lastPid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it('kills the broker and removes its directory when the owning process is SIGKILLed', async () => {
    const owner = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const k = await (await import('@weir/testkit')).startKafka(); console.log(JSON.stringify({ pid: k.pid, dir: k.dir })); setInterval(() => {}, 1000);",
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    owner.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    try {
      await waitFor('the owner to report its broker', () => output.includes('\n'), { timeoutMs: 90_000 });
      const { pid, dir } = JSON.parse(output) as { pid: number; dir: string };
      expect(isAlive(pid)).toBe(true);
      // SIGKILL: no 'exit' handler runs; only the watchdog can clean up.
      owner.kill('SIGKILL');
      await waitFor('the orphaned broker to be killed', () => !isAlive(pid), { timeoutMs: 30_000 });
      await waitFor('the broker directory to be removed', () => !existsSync(dir), { timeoutMs: 30_000 });
    } finally {
      owner.kill('SIGKILL');
    }
  });

  it('starts a detached broker with the CLI, reports it while it runs, and stops it', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'weir-cli-state-'));
    const run = async (...args: string[]) => {
      try {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], {
          env: { ...process.env, WEIR_KAFKA_STATE_DIR: stateDir },
        });
        return { code: 0, stdout: stdout.trim(), stderr };
      } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: failed.stdout.trim(), stderr: failed.stderr };
      }
    };
    try {
      const first = await run('start', '--port', '0');
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/^127\.0\.0\.1:\d+$/);
      const state = JSON.parse(readFileSync(join(stateDir, 'kafka.json'), 'utf8')) as { pid: number; dir: string };
      expect(readFileSync(join(stateDir, 'kafka.pid'), 'utf8').trim()).toBe(String(state.pid));

      // The CLI has exited; the broker must still answer.
      expect(await topicsOf([first.stdout])).toEqual(expect.any(Array));

      const again = await run('start', '--port', '0');
      expect(again).toMatchObject({ code: 0, stdout: first.stdout });
      expect(again.stderr).toContain('already running');
      expect(await run('status')).toMatchObject({ code: 0, stdout: first.stdout });

      const stopped = await run('stop');
      expect(stopped.code, stopped.stderr).toBe(0);
      expect(stopped.stderr).toContain('stopped cleanly');
      expect(isAlive(state.pid)).toBe(false);
      expect(existsSync(state.dir)).toBe(false);
      expect((await run('status')).code).toBe(1);
      expect(await run('stop')).toMatchObject({ code: 0 });

      const second = await run('start', '--port', '0');
      expect(second.code, second.stderr).toBe(0);
      expect(await topicsOf([second.stdout])).toEqual(expect.any(Array));
      expect((await run('stop')).code).toBe(0);
    } finally {
      await run('stop');
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
