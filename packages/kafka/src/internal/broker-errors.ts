/** kafkajs errors that mean "the cluster is not reachable or not ready yet", not a bug or bad data. */
const UNAVAILABLE_ERROR_NAMES = new Set([
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSLockTimeout',
]);

/**
 * Whether `error` (or an error in its `cause` chain) says the brokers are unavailable for now: a
 * broker restarting, a coordinator still loading, a connection refused. kafkajs gives up on some
 * of these (a group coordinator not found after its retries is "non-retriable" to it), but a
 * stream app must ride them out, as Kafka Streams' threads do, instead of stopping.
 */
export function isBrokerUnavailable(error: unknown): boolean {
  for (let e = error as { name?: string; retriable?: boolean; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e !== 'object') return false;
    if (e.name !== undefined && UNAVAILABLE_ERROR_NAMES.has(e.name)) return true;
    if (e.name === 'KafkaJSProtocolError' && e.retriable === true) return true;
  }
  return false;
}
