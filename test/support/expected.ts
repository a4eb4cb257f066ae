import { Serdes, type Topology, windowedSerde } from '@weir/core';
import { TestDriver } from '@weir/core/testing';
import type { KafkaMessage } from 'kafkajs';
import type { WorkloadRecord } from './datasets.js';

const windowedKeys = windowedSerde(Serdes.String());

/** A windowed count result as a comparable line: `key@windowStart=count`. */
export function windowedCountLine(key: { key: string; window: { start: number } }, count: number): string {
  return `${key.key}@${key.window.start}=${count}`;
}

/**
 * What the TestDriver outputs for the workload, partition by partition: each Kafka task has its
 * own stream time, so the reference runs one driver per input partition, each fed that
 * partition's records in order.
 */
export function expectedWindowedCounts(build: () => Topology, input: string, output: string, records: readonly WorkloadRecord[]): string[] {
  const lines: string[] = [];
  for (const partition of new Set(records.map((r) => r.partition))) {
    const driver = new TestDriver(build(), { applicationId: 'reference' });
    const inTopic = driver.createInputTopic(input, Serdes.String(), Serdes.String());
    const outTopic = driver.createOutputTopic(output, windowedKeys, Serdes.Json<number>());
    for (const r of records) if (r.partition === partition) inTopic.pipeInput(r.key, r.value, r.timestamp);
    for (const { key, value } of outTopic.readKeyValuesToList()) lines.push(windowedCountLine(key, value));
    driver.close();
  }
  return lines.sort();
}

/** Decodes windowed-count output messages into comparable lines. */
export function actualWindowedCounts(partitions: Map<number, KafkaMessage[]>, topic: string): string[] {
  const lines: string[] = [];
  for (const messages of partitions.values()) {
    for (const m of messages) {
      const key = windowedKeys.deserialize(topic, m.key ?? null)!;
      const count = JSON.parse(m.value!.toString()) as number;
      lines.push(windowedCountLine(key, count));
    }
  }
  return lines.sort();
}
