import { randomBytes } from 'node:crypto';
import { type Admin, Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { afterAll, beforeAll, inject } from 'vitest';
import './brokers.js';

/** Bootstrap addresses of the broker this run uses (started by global-setup.ts or KAFKA_BROKERS). */
export function kafkaBrokers(): string[] {
  return inject('kafkaBrokers');
}

/**
 * A name no other test (or earlier run against a long-lived broker) has used: `<name>-<random>`.
 * Kafka allows [a-zA-Z0-9._-] in topic names, so anything else in `name` becomes '-'.
 */
export function uniqueName(name: string): string {
  return `${name.replace(/[^a-zA-Z0-9._-]/g, '-')}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A unique topic name for this test; see {@link uniqueName}. */
export function uniqueTopic(name: string): string {
  return uniqueName(name);
}

/**
 * A kafkajs client for the run's broker. Logging is off by default: kafkajs logs retriable
 * broker answers (a coordinator still loading) as errors, which is noise in a passing run.
 */
export function testKafka(config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({ clientId: 'weir-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING, ...config });
}

/** Polls `condition` every `intervalMs` until it holds, failing with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean,
  { timeoutMs = 60_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * A kafkajs client and a connected admin for the tests of one file: connected before the first
 * test, disconnected after the last. Read the fields inside tests (they are set in `beforeAll`).
 */
export function connectedAdmin(): { readonly kafka: Kafka; readonly admin: Admin } {
  const handle = {} as { kafka: Kafka; admin: Admin };
  beforeAll(async () => {
    handle.kafka = testKafka();
    handle.admin = handle.kafka.admin();
    await handle.admin.connect();
  });
  afterAll(async () => {
    await handle.admin.disconnect();
  });
  return handle;
}
