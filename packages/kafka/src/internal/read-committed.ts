import { createRequire } from 'node:module';

/**
 * Corrects how kafkajs 2.2.4 hides the records of aborted transactions from `read_committed`
 * consumers. Every consumer in the process benefits, Weir's and the application's own.
 *
 * Why: a fetch response lists the aborted transactions that overlap the fetched range in the
 * order they were ABORTED, not the order they started. kafkajs takes them from the front, at most
 * one per record, once the record's offset reaches the front entry's first offset. So when two
 * producers write one partition at the same time and their transactions are aborted in the other
 * order, or when a fetch starts inside two aborted transactions, the records of one of them reach
 * the application as if committed (see test/read-committed.test.ts). In Weir that happens as
 * soon as several producers write one partition at once (tasks committing concurrently, several
 * instances) and a crash aborts their open transactions: a downstream task or reader consumes
 * aborted output, and exactly-once is lost.
 *
 * The correction does what the Java consumer does: sort the aborted transactions by first offset;
 * before each record, mark the producers of every transaction that started at or before it as
 * aborting; hide their transactional records until the producer's abort marker. It runs on the
 * decoded fetch response, before kafkajs builds its batch: hidden records are flagged as control
 * records, so that kafkajs drops them from `batch.messages` but still counts their offsets when
 * it moves past a batch, exactly as it does for the records its own filter drops. The response's
 * aborted-transaction list is then emptied, which turns kafkajs's own filter off.
 */

/** A record as kafkajs decodes it from a fetch response (the fields this correction reads). */
export interface FetchedRecord {
  readonly offset: string;
  readonly key: Buffer | null;
  isControlRecord: boolean;
  /** Absent in the message formats before transactions (magic 0 and 1). */
  readonly batchContext?: { readonly producerId: string; readonly inTransaction: boolean };
}

/** One partition of a decoded fetch response (the fields this correction reads and writes). */
export interface FetchedPartition {
  abortedTransactions?: Array<{ readonly producerId: string; readonly firstOffset: string }>;
  readonly messages: FetchedRecord[];
}

/** Whether a control record is an ABORT marker: its key is version (int16) then type (int16, 0 = abort). */
function isAbortMarker(record: FetchedRecord): boolean {
  return record.key !== null && record.key.length >= 4 && record.key.readInt16BE(2) === 0;
}

/**
 * Hides the records of `partition` that belong to aborted transactions (flags them as control
 * records) and empties its aborted-transaction list. A partition without aborted transactions is
 * left as it is.
 */
export function hideAbortedRecords(partition: FetchedPartition): void {
  const listed = partition.abortedTransactions;
  if (!listed || listed.length === 0) return;
  const byStart = listed
    .map(({ producerId, firstOffset }) => ({ producerId, firstOffset: BigInt(firstOffset) }))
    .sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  const aborting = new Set<string>();
  let next = 0;
  for (const record of partition.messages) {
    const offset = BigInt(record.offset);
    for (; next < byStart.length && byStart[next]!.firstOffset <= offset; next++) aborting.add(byStart[next]!.producerId);
    if (!record.batchContext) continue;
    const { producerId, inTransaction } = record.batchContext;
    if (record.isControlRecord) {
      if (isAbortMarker(record)) aborting.delete(producerId);
    } else if (inTransaction && aborting.has(producerId)) {
      record.isControlRecord = true;
    }
  }
  partition.abortedTransactions = [];
}

/** A decoded fetch response (the fields this correction reads). */
interface FetchResponse {
  readonly responses?: ReadonlyArray<{ readonly partitions: FetchedPartition[] }>;
}

interface ResponseModule {
  decode(raw: Buffer): Promise<FetchResponse>;
  parse(...args: unknown[]): unknown;
}

/** The fetch versions whose responses carry aborted transactions (kafkajs 2.2.4 knows up to 11). */
const FETCH_VERSIONS_WITH_TRANSACTIONS = [4, 5, 6, 7, 8, 9, 10, 11];
const corrected = Symbol.for('weir.readCommittedCorrected');

/**
 * Installs the correction into kafkajs, once per process. kafkajs loads a fetch response decoder
 * with `require` each time it sends a fetch, so replacing the cached modules' exports takes effect
 * whenever it happens before the first fetch, whatever imported kafkajs first.
 * @throws Error when kafkajs's fetch decoders are not where kafkajs 2.2.4 keeps them
 */
export function correctReadCommitted(): void {
  const require = createRequire(import.meta.url);
  const modules = FETCH_VERSIONS_WITH_TRANSACTIONS.map((version) => {
    const path = require.resolve(`kafkajs/src/protocol/requests/fetch/v${version}/response.js`);
    return { path, exports: require(path) as ResponseModule };
  });
  // All loaded before any is replaced: some versions reuse another's decoder, and must capture the original.
  for (const { path, exports } of modules) {
    if ((exports as unknown as Record<symbol, boolean>)[corrected]) continue;
    const cached = require.cache[path];
    if (!cached || typeof exports.decode !== 'function') throw new Error(`kafkajs fetch decoder not found at ${path}: Weir needs kafkajs 2.2.4`);
    const decode = exports.decode;
    cached.exports = {
      ...exports,
      [corrected]: true,
      decode: async (raw: Buffer) => {
        const response = await decode(raw);
        for (const topic of response.responses ?? []) for (const partition of topic.partitions) hideAbortedRecords(partition);
        return response;
      },
    };
  }
}
