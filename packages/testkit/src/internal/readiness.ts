import { Kafka, logLevel } from 'kafkajs';

/**
 * Whether a kafkajs admin can connect to `broker` and list its topics. This, not an open TCP
 * port, is what ready means: the client listener opens before the broker has caught up with the
 * KRaft metadata log and been unfenced, and requests fail until then.
 */
export async function brokerAnswers(broker: string, timeoutMs: number): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'weir-testkit-readiness',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 1_000),
    requestTimeout: timeoutMs,
    // The caller polls: one quick answer per attempt is all we want.
    retry: { retries: 0 },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
