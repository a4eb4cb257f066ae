import { startKafka } from '@weir/testkit';
import type { TestProject } from 'vitest/node';
import { parseBrokerList } from './support/brokers.js';

/**
 * Starts one Kafka broker for the whole integration run and hands its bootstrap addresses to the
 * tests (`inject('kafkaBrokers')`, or `kafkaBrokers()` from support/kafka.ts). With KAFKA_BROKERS
 * set (comma-separated), that cluster is used instead and nothing is started.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fromEnv = parseBrokerList(process.env.KAFKA_BROKERS);
  if (fromEnv.length > 0) {
    project.provide('kafkaBrokers', fromEnv);
    return async () => undefined;
  }
  const started = Date.now();
  const kafka = await startKafka();
  process.stderr.write(
    `[weir] Kafka ${kafka.version} on ${kafka.brokers.join(',')} ready in ${Date.now() - started} ms (log: ${kafka.logFile})\n`,
  );
  project.provide('kafkaBrokers', kafka.brokers);
  return () => kafka.stop();
}
