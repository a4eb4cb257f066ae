import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

describe('@weir/testkit package', () => {
  it('exposes its public API from src/index.ts and declares types first in exports', () => {
    expect(Object.keys(api).length).toBeGreaterThan(0);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(Object.keys(pkg.exports['.'])[0]).toBe('types');
  });

  it('exports startKafka, its error class and the default Kafka version, and nothing internal', () => {
    expect(Object.keys(api).sort()).toEqual(['DEFAULT_KAFKA_VERSION', 'KafkaStartError', 'startKafka']);
    expect(api.DEFAULT_KAFKA_VERSION).toMatch(/^4\./);
  });

  it('depends on kafkajs only (Kafka itself comes from Maven at run time)', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(['kafkajs']);
  });
});
