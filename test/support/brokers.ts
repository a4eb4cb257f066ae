declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap addresses of the run's Kafka cluster, provided by test/global-setup.ts. */
    kafkaBrokers: string[];
  }
}

/** Splits a comma-separated broker list such as KAFKA_BROKERS, ignoring blanks. */
export function parseBrokerList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
}
