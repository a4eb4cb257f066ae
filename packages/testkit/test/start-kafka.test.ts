import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KafkaStartError, startKafka } from '../src/index.js';
import { type FakeTools, fakeTools } from './support/fake-tools.js';

let tools: FakeTools;
let held: Server | undefined;

beforeEach(() => {
  tools = fakeTools();
});

afterEach(async () => {
  await new Promise<void>((resolve) => (held ? held.close(() => resolve()) : resolve()));
  held = undefined;
  tools.remove();
});

async function startError(options: Parameters<typeof startKafka>[0]): Promise<KafkaStartError> {
  const error = await startKafka({ tmpDir: join(tools.root, 'tmp'), ...options }).then(
    (kafka) => {
      void kafka.stop();
      throw new Error('startKafka was expected to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KafkaStartError);
  return error as KafkaStartError;
}

describe('startKafka errors', () => {
  it('names a taken client port before starting anything', async () => {
    const port = await new Promise<number>((resolve) => {
      held = createServer().listen(0, '127.0.0.1', () => {
        const address = held!.address();
        resolve(typeof address === 'object' && address !== null ? address.port : -1);
      });
    });
    const error = await startError({ port, javaPath: join(tools.root, 'no-java') });
    expect(error.reason).toBe('port');
    expect(error.port).toBe(port);
    expect(error.message).toContain(`Port ${port} on 127.0.0.1 is already in use`);
  });

  it('rejects the same port for client and controller', async () => {
    const error = await startError({ port: 45_001, controllerPort: 45_001 });
    expect(error.message).toContain('Port 45001 was asked for as both the client and the controller port');
  });

  it('says Java is missing when javaPath does not exist', async () => {
    const javaPath = join(tools.root, 'bogus', 'java');
    const error = await startError({ javaPath });
    expect(error.reason).toBe('java');
    expect(error.message).toContain(`Java not found: could not run "${javaPath}" (ENOENT)`);
    expect(error.message).toContain('needs Java 17 or newer');
  });

  it('says Java is too old', async () => {
    const javaPath = tools.java({ javaVersion: '11.0.2', broker: 'exit 1' });
    const error = await startError({ javaPath, version: tools.version, cacheDir: tools.cacheDir });
    expect(error.reason).toBe('java');
    expect(error.message).toContain(`Java 11 at "${javaPath}" is too old`);
  });

  it('says Maven is missing when the cache is empty', async () => {
    const javaPath = tools.java({ broker: 'exit 1' });
    const mavenPath = join(tools.root, 'no-maven', 'mvn');
    const cacheDir = join(tools.root, 'empty-cache');
    const error = await startError({ javaPath, mavenPath, cacheDir, version: '4.1.1' });
    expect(error.reason).toBe('maven');
    expect(error.message).toContain(`Maven not found: could not run "${mavenPath}" (ENOENT)`);
    expect(error.message).toContain(join(cacheDir, 'kafka-4.1.1', 'lib'));
    // A failed fetch leaves no half-filled cache behind.
    expect(existsSync(join(cacheDir, 'kafka-4.1.1', 'lib'))).toBe(false);
  });

  it('reports a failing Maven run with its output', async () => {
    const javaPath = tools.java({ broker: 'exit 1' });
    const mavenPath = tools.script('mvn', 'echo "[ERROR] Could not resolve org.apache.kafka:kafka_2.13"; exit 1');
    const error = await startError({ javaPath, mavenPath, cacheDir: join(tools.root, 'empty-cache'), version: '4.1.1' });
    expect(error.reason).toBe('maven');
    expect(error.message).toContain('Maven failed to fetch org.apache.kafka:kafka_2.13:4.1.1');
    expect(error.message).toContain('[ERROR] Could not resolve org.apache.kafka:kafka_2.13');
  });

  it('reports a broker that dies at start with its log file and the tail of the log', async () => {
    const javaPath = tools.java({ broker: 'echo "ERROR fatal: fake broker failure"; exit 3' });
    // mavenPath is bogus: a filled cache must not need Maven.
    const error = await startError({
      javaPath,
      mavenPath: join(tools.root, 'no-maven'),
      cacheDir: tools.cacheDir,
      version: tools.version,
    });
    expect(error.reason).toBe('exited');
    expect(error.logFile).toMatch(/weir-kafka-[^/]+\/broker\.log$/);
    expect(error.message).toContain('exited with code 3 before it became ready');
    expect(error.message).toContain(`Log file: ${error.logFile}`);
    expect(error.message).toContain('ERROR fatal: fake broker failure');
  });

  it('kills a broker that does not answer in time and says so', async () => {
    const javaPath = tools.java({ broker: 'echo "stuck"; exec sleep 60' });
    const started = Date.now();
    const error = await startError({ javaPath, cacheDir: tools.cacheDir, version: tools.version, startTimeoutMs: 1_500 });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(error.reason).toBe('timeout');
    expect(error.message).toContain('did not answer a kafkajs admin within 1500 ms and was killed');
    expect(error.message).toContain('stuck');
  });
});
