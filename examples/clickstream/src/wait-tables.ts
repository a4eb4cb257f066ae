import { openTable } from '@weir/parquet';
import type { Admin, Kafka } from 'kafkajs';
import { committedOffsets, endOffsets, reached, recordEnds, waitUntil } from './offsets.js';
import type { ExpectedTables } from './reference.js';

/** Options of {@link waitForTables}. */
export interface WaitForTablesOptions {
  kafka: Kafka;
  admin: Admin;
  applicationId: string;
  input: string;
  /** The repartition topic, and where each of its partitions' last record ends (read by readRepartitionLog). */
  repartition: { topic: string; ends: ReadonlyMap<number, bigint> };
  /** The sinks' outbox topics, in the order of `dirs`' tables (pages, sessions). */
  outboxes: readonly string[];
  dirs: { pages: string; sessions: string };
  expected: ExpectedTables;
  timeoutMs: number;
  /** Called at every poll; throws to stop waiting (app failed, interrupted). */
  check: () => void;
  say: (line: string) => void;
}

/** What the wait saw at its end. */
export interface TablesState {
  pagesRows: number;
  sessionsRows: number;
  /** Whether the row counts equal what the windows imply. */
  complete: boolean;
}

/** Rows of the committed table in `dir` (0 before its first commit), from its commit log alone. */
export async function committedRows(dir: string): Promise<number> {
  try {
    return await (await openTable(dir)).count();
  } catch (error) {
    if ((error as Error).name === 'TableNotFoundError') return 0;
    throw error;
  }
}

/**
 * Waits until every window is committed to the tables:
 * 1. the app's group committed the end of the input (ticks included) and the position after
 *    the last record of every repartition partition, so every window is closed and its row is
 *    in an outbox topic (same transaction);
 * 2. each table's commit log covers its outbox up to its last record: the sinks wrote every row;
 * 3. the row counts equal what the windows imply ({@link ExpectedTables}) and stop growing.
 *
 * If the counts stop growing at other values once the outboxes are covered, it stops waiting
 * and returns `complete: false` for the report to flag (it does not wait for the timeout).
 */
export async function waitForTables(options: WaitForTablesOptions): Promise<TablesState> {
  const { kafka, admin, applicationId, input, repartition, outboxes, dirs, expected, timeoutMs, check, say } = options;
  const deadline = Date.now() + timeoutMs;
  const remaining = () => Math.max(1_000, deadline - Date.now());

  await waitUntil(
    'the app consumed the ticks',
    async () => {
      if (!reached(await committedOffsets(admin, applicationId, input), await endOffsets(admin, input))) return false;
      return reached(await committedOffsets(admin, applicationId, repartition.topic), repartition.ends);
    },
    { timeoutMs: remaining(), intervalMs: 250, abort: check },
  );

  // Every window is now in an outbox, committed: a table covers its outbox once its commits
  // reach the offset after each partition's last record.
  const tables = [dirs.pages, dirs.sessions];
  const outboxEnds = await Promise.all(outboxes.map((topic) => recordEnds(kafka, admin, topic)));
  await waitUntil(
    'the sinks committed their outboxes to the tables',
    async () => {
      for (const [i, dir] of tables.entries()) {
        const topic = outboxes[i]!;
        let offsets: Record<string, string> = {};
        try {
          offsets = (await openTable(dir)).sourceOffsets();
        } catch (error) {
          if ((error as Error).name !== 'TableNotFoundError') throw error;
        }
        for (const [partition, end] of outboxEnds[i]!) {
          if (BigInt(offsets[`${topic}:${partition}`] ?? '0') < end) return false;
        }
      }
      return true;
    },
    { timeoutMs: remaining(), intervalMs: 250, abort: check },
  );

  let last = { pages: -1, sessions: -1 };
  let stableSince = Date.now();
  let complete = false;
  await waitUntil(
    'the tables hold every window',
    async () => {
      const now = { pages: await committedRows(dirs.pages), sessions: await committedRows(dirs.sessions) };
      if (now.pages !== last.pages || now.sessions !== last.sessions) {
        say(`  committed rows: ${now.pages}/${expected.pages.rows} page-minutes, ${now.sessions}/${expected.sessions.rows} sessions`);
        last = now;
        stableSince = Date.now();
      }
      complete = now.pages === expected.pages.rows && now.sessions === expected.sessions.rows;
      // Equal, or no longer growing although the outboxes are covered: the report says which.
      return complete || Date.now() - stableSince >= 5_000;
    },
    { timeoutMs: remaining(), intervalMs: 500, abort: check },
  );
  return { pagesRows: last.pages, sessionsRows: last.sessions, complete };
}
