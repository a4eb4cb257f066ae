import { describe, expect, it } from 'vitest';
import { brokerSettings, jvmOptions, log4j2Properties, newClusterId, renderProperties, serverProperties } from '../src/internal/config.js';

const input = { port: 19092, controllerPort: 19093, dataDir: '/tmp/weir-kafka-x/data' };

/** Parses `key=value` lines back into a map (values here never contain escapes). */
function parse(text: string): Map<string, string> {
  return new Map(
    text
      .trim()
      .split('\n')
      .map((line) => {
        const at = line.indexOf('=');
        return [line.slice(0, at), line.slice(at + 1)] as [string, string];
      }),
  );
}

describe('serverProperties', () => {
  it('describes one combined KRaft broker and controller on loopback', () => {
    const props = parse(serverProperties(input));
    expect(props.get('process.roles')).toBe('broker,controller');
    expect(props.get('node.id')).toBe('1');
    expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:19093');
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:19092');
    expect(props.get('controller.listener.names')).toBe('CONTROLLER');
    expect(props.get('log.dirs')).toBe('/tmp/weir-kafka-x/data');
  });

  it('fits every internal topic on one replica and keeps topic creation explicit', () => {
    const props = parse(serverProperties(input));
    expect(props.get('offsets.topic.replication.factor')).toBe('1');
    expect(props.get('transaction.state.log.replication.factor')).toBe('1');
    expect(props.get('transaction.state.log.min.isr')).toBe('1');
    expect(props.get('min.insync.replicas')).toBe('1');
    expect(props.get('group.initial.rebalance.delay.ms')).toBe('0');
    expect(props.get('auto.create.topics.enable')).toBe('false');
    expect(Number(props.get('offsets.topic.num.partitions'))).toBeLessThanOrEqual(5);
    expect(Number(props.get('transaction.state.log.num.partitions'))).toBeLessThanOrEqual(5);
  });

  it('applies overrides last', () => {
    const settings = brokerSettings({ ...input, overrides: { 'auto.create.topics.enable': true, 'log.retention.ms': 1000 } });
    expect(settings['auto.create.topics.enable']).toBe(true);
    expect(settings['log.retention.ms']).toBe(1000);
  });
});

describe('renderProperties', () => {
  it('escapes backslashes and line breaks in values', () => {
    expect(renderProperties({ 'log.dirs': 'C:\\kafka\\data', odd: 'a\nb' })).toBe('log.dirs=C:\\\\kafka\\\\data\nodd=a\\nb\n');
  });
});

describe('log4j2Properties', () => {
  it('sends all broker logging to the given file, not to the console', () => {
    const props = parse(log4j2Properties('/tmp/weir-kafka-x/broker.log'));
    expect(props.get('appender.file.type')).toBe('File');
    expect(props.get('appender.file.fileName')).toBe('/tmp/weir-kafka-x/broker.log');
    expect(props.get('rootLogger.appenderRef.file.ref')).toBe('file');
    expect([...props.values()]).not.toContain('Console');
  });
});

describe('newClusterId', () => {
  it('returns 16 random bytes as unpadded base64url, the form Kafka parses', () => {
    const id = newClusterId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    expect(newClusterId()).not.toBe(id);
  });

  it('never starts with a dash, which the storage tool would read as an option', () => {
    // One id in 64 would start with '-' if nothing prevented it.
    for (let i = 0; i < 2_000; i++) expect(newClusterId().startsWith('-')).toBe(false);
  });
});

describe('jvmOptions', () => {
  it('caps the heap and points log4j2 at the generated configuration', () => {
    const options = jvmOptions('768m', '/tmp/x/log4j2.properties');
    expect(options).toContain('-Xmx768m');
    expect(options).toContain('-Dlog4j2.configurationFile=/tmp/x/log4j2.properties');
  });
});
