import { describe, expect, it } from 'vitest';
import { type FetchedPartition, type FetchedRecord, hideAbortedRecords } from '../src/internal/read-committed.js';

const ABORT = Buffer.from([0, 0, 0, 0]);
const COMMIT = Buffer.from([0, 0, 0, 1]);

/** A fetched log: `p1:5` = 5 transactional records of producer p1; `p1:abort` / `p1:commit` = its marker; `plain` = one non-transactional record. */
function log(first: number, ...entries: string[]): FetchedRecord[] {
  const records: FetchedRecord[] = [];
  let offset = first;
  for (const entry of entries) {
    const [producerId, what] = entry.split(':') as [string, string | undefined];
    if (producerId === 'plain') {
      records.push({ offset: String(offset++), key: null, isControlRecord: false, batchContext: { producerId: '-1', inTransaction: false } });
    } else if (what === 'abort' || what === 'commit') {
      records.push({ offset: String(offset++), key: what === 'abort' ? ABORT : COMMIT, isControlRecord: true, batchContext: { producerId, inTransaction: true } });
    } else {
      for (let i = 0; i < Number(what); i++) {
        records.push({ offset: String(offset++), key: Buffer.from(producerId), isControlRecord: false, batchContext: { producerId, inTransaction: true } });
      }
    }
  }
  return records;
}

/** The offsets a consumer hands to the application after the correction. */
function visible(partition: FetchedPartition): number[] {
  hideAbortedRecords(partition);
  expect(partition.abortedTransactions).toEqual([]);
  return partition.messages.filter((m) => !m.isControlRecord).map((m) => Number(m.offset));
}

describe('hideAbortedRecords', () => {
  it('hides two interleaved transactions aborted in the other order than they started (the order the broker lists them)', () => {
    // 0-4 p1, 5-9 p2, 10-14 p1, 15 p2 abort, 16 p1 abort, 17-21 p3 committed at 22.
    const messages = log(0, 'p1:5', 'p2:5', 'p1:5', 'p2:abort', 'p1:abort', 'p3:5', 'p3:commit');
    const abortedTransactions = [
      { producerId: 'p2', firstOffset: '5' },
      { producerId: 'p1', firstOffset: '0' },
    ];
    expect(visible({ abortedTransactions, messages })).toEqual([17, 18, 19, 20, 21]);
  });

  it('hides the records of every aborted transaction a fetch starts inside', () => {
    // The fetch starts at 7, inside both aborted transactions; the broker lists both.
    const messages = log(0, 'p1:5', 'p2:5', 'p1:5', 'p2:abort', 'p1:abort', 'plain').slice(7);
    const abortedTransactions = [
      { producerId: 'p1', firstOffset: '0' },
      { producerId: 'p2', firstOffset: '5' },
    ];
    expect(visible({ abortedTransactions, messages })).toEqual([17]);
  });

  it('shows the committed transaction a producer writes after its aborted one', () => {
    // p1 aborts 0-2 (marker 3), then commits 4-6 (marker 7); p2 commits 8-9 in between nothing.
    const messages = log(0, 'p1:3', 'p1:abort', 'p1:3', 'p1:commit', 'p2:2', 'p2:commit');
    expect(visible({ abortedTransactions: [{ producerId: 'p1', firstOffset: '0' }], messages })).toEqual([4, 5, 6, 8, 9]);
  });

  it('hides a second aborted transaction of the same producer, and not the committed one between them', () => {
    const messages = log(0, 'p1:2', 'p1:abort', 'p1:2', 'p1:commit', 'p1:2', 'p1:abort');
    const abortedTransactions = [
      { producerId: 'p1', firstOffset: '6' },
      { producerId: 'p1', firstOffset: '0' },
    ];
    expect(visible({ abortedTransactions, messages })).toEqual([3, 4]);
  });

  it('leaves a partition without aborted transactions as it is, and non-transactional records always visible', () => {
    const messages = log(0, 'p1:2', 'p1:commit', 'plain');
    const partition: FetchedPartition = { abortedTransactions: [], messages };
    hideAbortedRecords(partition);
    expect(messages.filter((m) => !m.isControlRecord).map((m) => Number(m.offset))).toEqual([0, 1, 3]);
    const withAbort = log(0, 'p1:2', 'plain', 'p1:abort', 'plain');
    expect(visible({ abortedTransactions: [{ producerId: 'p1', firstOffset: '0' }], messages: withAbort })).toEqual([2, 4]);
  });
});
