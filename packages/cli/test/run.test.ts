import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../src/internal/run-config.js';
import { CLI, moduleDir, tempDir, weir, writeFile } from './helpers/cli.js';

const TOPOLOGY = `
import { Consumed, Produced, Serdes, StreamsBuilder } from '@weir/core';
export function topology() {
  const builder = new StreamsBuilder();
  builder
    .stream(process.env.TEST_INPUT ?? 'input', Consumed.with(Serdes.String(), Serdes.String()))
    .mapValues((value) => value.toUpperCase())
    .to(process.env.TEST_OUTPUT ?? 'output', Produced.with(Serdes.String(), Serdes.String()));
  return builder.build();
}
`;

describe('weir run', () => {
  it('prints the start-up summary, then fails with one clear line and exit 1 when the brokers cannot be reached', async () => {
    const dir = moduleDir();
    const module = writeFile(dir, 'app.mjs', TOPOLOGY);
    const config = writeFile(dir, 'weir.json', JSON.stringify({ applicationId: 'unreachable-test', connectTimeoutMs: 1500, stateDir: 'state' }));
    const { code, stdout, stderr } = await weir(['run', module, '--brokers', '127.0.0.1:1', '--config', config]);
    expect(code).toBe(1);
    expect(stdout).toContain(`weir run ${module}\n`);
    expect(stdout).toMatch(/application id\s+unreachable-test \(config file\)/);
    expect(stdout).toMatch(/brokers\s+127\.0\.0\.1:1 \(--brokers\)/);
    expect(stdout).toMatch(new RegExp(`state dir\\s+${path.join(dir, 'state')} \\(config file\\)`));
    expect(stdout).toMatch(/guarantee\s+exactly_once \(default\)/);
    expect(stdout).toMatch(/commit interval\s+100 ms \(default\)/);
    expect(stdout).toMatch(/sub-topologies\s+1\n\s+source topics\s+input\n\s+stores\s+none\n\s+sinks\s+output\n/);
    const lines = stderr.trimEnd().split('\n');
    // Logs are pino JSON lines; the CLI's own error is the one line that is not.
    for (const line of lines.slice(0, -1)) expect(JSON.parse(line)).toHaveProperty('msg');
    expect(lines.at(-1)).toBe('weir: cannot reach Kafka brokers 127.0.0.1:1 within 1500 ms: check the addresses and that the cluster runs');
  });

  it('refuses a bad setting from the environment, a flag or the config file, exit 2', async () => {
    const dir = moduleDir();
    const module = writeFile(dir, 'app.mjs', TOPOLOGY);
    expect(await weir(['run', module], { env: { WEIR_GUARANTEE: 'twice' } })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'weir: WEIR_GUARANTEE must be exactly_once or at_least_once, got "twice"\n',
    });
    expect((await weir(['run', module], { env: { WEIR_METRICS_PORT: '99999' } })).stderr).toBe(
      'weir: WEIR_METRICS_PORT must be an integer from 0 to 65535, got "99999"\n',
    );
    expect((await weir(['run', module, '--guarantee', 'twice'])).stderr).toBe(
      "weir: option '--guarantee <guarantee>' argument 'twice' is invalid. Allowed choices are exactly_once, at_least_once.\n",
    );
    const typo = writeFile(dir, 'typo.json', JSON.stringify({ brokers: ['b:9092'], comitIntervalMs: 5 }));
    const result = await weir(['run', module, '--config', typo]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^weir: config file .*typo\.json: unknown key "comitIntervalMs"; known keys are applicationId, brokers, /);
    const missing = path.join(dir, 'missing.json');
    expect(await weir(['run', module, '--config', missing])).toEqual({ code: 2, stdout: '', stderr: `weir: no such config file: ${missing}\n` });
    const badId = await weir(['run', module, '--application-id', 'my app']);
    expect(badId).toEqual({ code: 2, stdout: '', stderr: 'weir: applicationId "my app" may only contain letters, digits, ".", "_" and "-"\n' });
  });

  it('names a wrong module path, exit 2', async () => {
    expect(await weir(['run', '/nonexistent/app.ts'])).toEqual({ code: 2, stdout: '', stderr: 'weir: no such module: /nonexistent/app.ts\n' });
  });
});

describe('resolveRunConfig', () => {
  it('merges defaults < config file < environment < flags', async () => {
    const dir = tempDir();
    const config = writeFile(
      dir,
      'weir.json',
      JSON.stringify({ applicationId: 'from-file', brokers: 'f1:9092,f2:9092', stateDir: 'state', commitIntervalMs: 500, logLevel: 'warn', sessionTimeoutMs: 45000 }),
    );
    const defaults = await resolveRunConfig('apps/page-views.ts', {}, {});
    expect(defaults.applicationId).toEqual({ value: 'page-views', origin: 'default' });
    expect(defaults.brokers).toEqual({ value: ['127.0.0.1:9092'], origin: 'default' });
    expect(defaults.guarantee).toEqual({ value: 'exactly_once', origin: 'default' });
    expect(defaults.stateDir.value).toMatch(/weir[/\\]page-views$/);
    expect(defaults.commitIntervalMs.value).toBeUndefined();
    expect(defaults.metricsPort.value).toBeUndefined();
    expect(defaults.logLevel.value).toBe('info');

    const file = await resolveRunConfig('app.ts', { config }, {});
    expect(file.applicationId).toEqual({ value: 'from-file', origin: 'config file' });
    expect(file.brokers.value).toEqual(['f1:9092', 'f2:9092']);
    expect(file.stateDir.value).toBe(path.join(dir, 'state'));
    expect(file.commitIntervalMs.value).toBe(500);
    expect(file.logLevel.value).toBe('warn');
    expect(file.extra).toEqual({ sessionTimeoutMs: 45000 });

    const env = { WEIR_APPLICATION_ID: 'from-env', WEIR_BROKERS: 'e1:9092', WEIR_COMMIT_INTERVAL_MS: '250', WEIR_GUARANTEE: 'at_least_once', WEIR_METRICS_PORT: '9464' };
    const fromEnv = await resolveRunConfig('app.ts', { config }, env);
    expect(fromEnv.applicationId).toEqual({ value: 'from-env', origin: 'env WEIR_APPLICATION_ID' });
    expect(fromEnv.brokers.value).toEqual(['e1:9092']);
    expect(fromEnv.commitIntervalMs.value).toBe(250);
    expect(fromEnv.guarantee.value).toBe('at_least_once');
    expect(fromEnv.metricsPort.value).toBe(9464);
    expect(fromEnv.stateDir.origin).toBe('config file');

    const flags = await resolveRunConfig('app.ts', { config, applicationId: 'from-flag', brokers: ['x:1'], guarantee: 'exactly_once', metricsPort: 0 }, env);
    expect(flags.applicationId).toEqual({ value: 'from-flag', origin: '--application-id' });
    expect(flags.brokers).toEqual({ value: ['x:1'], origin: '--brokers' });
    expect(flags.guarantee.value).toBe('exactly_once');
    expect(flags.metricsPort.value).toBe(0);
    expect(flags.commitIntervalMs).toEqual({ value: 250, origin: 'env WEIR_COMMIT_INTERVAL_MS' });
  });
});

/** Waits until `predicate` holds, polling. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const brokers = process.env.KAFKA_BROKERS?.split(',').filter(Boolean) ?? [];

describe.skipIf(brokers.length === 0)('weir run on a real broker (KAFKA_BROKERS)', () => {
  it('processes records, serves /health and /metrics, and stops with exit 0 on SIGTERM', { timeout: 120_000 }, async () => {
    const id = `weir-cli-test-${Date.now()}`;
    const input = `${id}-in`;
    const output = `${id}-out`;
    const kafka = new Kafka({ clientId: id, brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [input, output].map((topic) => ({ topic, numPartitions: 2 })), waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: input, messages: ['a', 'b', 'c', 'd'].map((v, i) => ({ key: `k${i}`, value: v })) });

    const dir = moduleDir();
    const module = writeFile(dir, 'app.mjs', TOPOLOGY);
    const child: ChildProcess = spawn(
      process.execPath,
      [CLI, 'run', module, '--application-id', id, '--state-dir', path.join(dir, 'state'), '--metrics-port', '0', '--log-level', 'debug'],
      { env: { ...process.env, WEIR_BROKERS: brokers.join(','), TEST_INPUT: input, TEST_OUTPUT: output }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const port = await until('the metrics port', async () => /http:\/\/0\.0\.0\.0:(\d+)\/metrics/.exec(stdout)?.[1]);
      expect(stdout).toMatch(/brokers\s+\S+ \(env WEIR_BROKERS\)/);
      await until('/health 200', async () => ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200 ? true : undefined));
      expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toEqual({ state: 'RUNNING' });

      const consumer = kafka.consumer({ groupId: `${id}-reader` });
      await consumer.connect();
      await consumer.subscribe({ topic: output, fromBeginning: true });
      const values: string[] = [];
      await consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value!.toString());
        },
      });
      await until('4 output records', async () => (values.length >= 4 ? true : undefined));
      await consumer.disconnect();
      expect(values.sort()).toEqual(['A', 'B', 'C', 'D']);

      const metrics = await until('processed records in /metrics', async () => {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return /^weir_records_processed_total 4$/m.test(text) ? text : undefined;
      });
      expect(metrics).toMatch(/^weir_commits_total [1-9]\d*$/m);
      expect(metrics).toMatch(/^weir_app_state\{state="RUNNING"\} 1$/m);
      expect(metrics).toMatch(/^weir_records_dropped_total\{reason="late"\} 0$/m);
      expect(metrics).toMatch(new RegExp(`^weir_consumer_lag_records\\{topic="${input}",partition="\\d"\\} 0$`, 'm'));

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toContain('"msg":"signal received, shutting down"');
      expect(stderr).toContain('"msg":"stopped"');
    } finally {
      child.kill('SIGKILL');
      await producer.disconnect();
      await admin.deleteTopics({ topics: [input, output] }).catch(() => {});
      await admin.disconnect();
    }
  });
});
