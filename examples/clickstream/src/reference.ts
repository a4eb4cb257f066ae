import type { Clickstream } from './generator.js';
import { partitionFor } from './partitions.js';
import { tickTime } from './produce.js';
import { isTick, SESSION_GAP_MS, SESSION_GRACE_MS, TICK_PREFIX, WINDOW_GRACE_MS, WINDOW_SIZE_MS } from './topology.js';

/** What one table should hold. */
export interface ExpectedTable {
  /** Rows, as `key@start..end=views` lines (key = page or user; times in epoch ms). */
  readonly lines: readonly string[];
  readonly rows: number;
  /** Sum of the `views` column. */
  readonly views: number;
  /** Views the aggregation drops as late. */
  readonly lateDropped: number;
}

/** What the two tables should hold once every window is closed and committed. */
export interface ExpectedTables {
  readonly pages: ExpectedTable;
  readonly sessions: ExpectedTable;
}

/** A result row as a comparable line. */
export function tableLine(key: string, start: number, end: number, views: number | bigint): string {
  return `${key}@${start}..${end}=${views}`;
}

/**
 * Computes the tables the topology must produce from this clickstream: the specification of
 * both aggregations (Kafka Streams semantics, as Weir implements them), replayed per task.
 *
 * Each task has its own stream time, the largest timestamp it has seen. The session count reads
 * the input partitions (keyed by user) as they are; the per-page count reads the repartition
 * topic, assumed to receive the views in arrival order (its tasks see the views of their pages
 * as the producer wrote them).
 *
 * - Per page and minute: a view is late when its window's end is at or before stream time minus
 *   grace; every other window is emitted once, when it closes.
 * - Per user session: a view joins every session of its user ending at or after `t - gap` and
 *   starting at or before `t + gap` (and still retained: ending at or after the store's latest
 *   session end minus gap + grace); it is late when the merged session ends before stream time
 *   minus gap and grace. Otherwise the merged sessions are deleted and the new one written, and
 *   each change goes to `suppress(untilWindowCloses)`, which keeps the latest value per session
 *   and emits it once the latest session end it has seen reaches its end + gap + grace. That is
 *   also when the session store stops finding it (retention is gap + grace), so each session is
 *   emitted once: a view delayed past it starts a new session.
 *
 * @param stream - the clickstream, in arrival order
 * @param options - partition counts of the input and the repartition topic
 */
export function expectedTables(stream: Clickstream, { partitions, repartitionPartitions = partitions }: { partitions: number; repartitionPartitions?: number }): ExpectedTables {
  return {
    pages: expectedPageViews(stream, repartitionPartitions),
    sessions: expectedSessions(stream, partitions),
  };
}

/**
 * The per-page count of one run's views, replayed: fed each view with the repartition partition
 * it went to, in that partition's order. Each partition (task) has its own stream time, the
 * largest timestamp it has seen; a view is late when its window's end is at or before stream
 * time minus grace, and every other window is emitted once, when it closes.
 */
export class PerMinuteCount {
  private readonly streamTime = new Map<number, number>();
  private readonly counts = new Map<string, Map<number, number>>(); // page -> window start -> views
  private late = 0;

  add(partition: number, page: string, t: number): void {
    const now = Math.max(this.streamTime.get(partition) ?? Number.NEGATIVE_INFINITY, t);
    this.streamTime.set(partition, now);
    const start = Math.floor(t / WINDOW_SIZE_MS) * WINDOW_SIZE_MS;
    if (start + WINDOW_SIZE_MS <= now - WINDOW_GRACE_MS) {
      this.late++;
      return;
    }
    let byWindow = this.counts.get(page);
    if (!byWindow) {
      byWindow = new Map();
      this.counts.set(page, byWindow);
    }
    byWindow.set(start, (byWindow.get(start) ?? 0) + 1);
  }

  /** The table's rows, tick rows left out (the topology filters them out). */
  table(): ExpectedTable {
    const lines: string[] = [];
    let views = 0;
    for (const [page, byWindow] of this.counts) {
      if (isTick(page)) continue;
      for (const [start, n] of byWindow) {
        lines.push(tableLine(page, start, start + WINDOW_SIZE_MS, n));
        views += n;
      }
    }
    lines.sort();
    return { lines, rows: lines.length, views, lateDropped: this.late };
  }
}

/** The per-page count when the repartition topic receives the views in arrival order. */
function expectedPageViews(stream: Clickstream, partitions: number): ExpectedTable {
  const partitionOfPage = stream.pageNames.map((page) => partitionFor(page, partitions));
  const count = new PerMinuteCount();
  for (let i = 0; i < stream.count; i++) {
    const page = stream.page[i]!;
    count.add(partitionOfPage[page]!, stream.pageNames[page]!, stream.timestamp[i]!);
  }
  return count.table();
}

interface Session {
  start: number;
  end: number;
  views: number;
}

/** A min-heap of session ends: the suppression buffer's emission order. */
class EndHeap {
  private readonly ends: number[] = [];
  private readonly keys: string[] = [];
  /** The smallest end, or +Infinity when empty. */
  minEnd(): number {
    return this.ends.length > 0 ? this.ends[0]! : Number.POSITIVE_INFINITY;
  }
  push(end: number, key: string): void {
    const ends = this.ends;
    const keys = this.keys;
    let i = ends.length;
    ends.push(end);
    keys.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (ends[parent]! <= end) break;
      ends[i] = ends[parent]!;
      keys[i] = keys[parent]!;
      i = parent;
    }
    ends[i] = end;
    keys[i] = key;
  }
  /** Removes the entry with the smallest end; returns its key. */
  pop(): string {
    const ends = this.ends;
    const keys = this.keys;
    const top = keys[0]!;
    const end = ends.pop()!;
    const key = keys.pop()!;
    const n = ends.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const c = l + 1 < n && ends[l + 1]! < ends[l]! ? l + 1 : l;
        if (ends[c]! >= end) break;
        ends[i] = ends[c]!;
        keys[i] = keys[c]!;
        i = c;
      }
      ends[i] = end;
      keys[i] = key;
    }
    return top;
  }
}

/** One session task: the session count and its suppression buffer, fed one partition in order. */
class SessionTask {
  private streamTime = Number.NEGATIVE_INFINITY;
  /** The session store's observed time: the latest session end written. */
  private latestEnd = Number.NEGATIVE_INFINITY;
  private suppressTime = Number.NEGATIVE_INFINITY;
  private readonly sessions = new Map<string, Session[]>();
  /** Suppression buffer: session key -> latest value, by end in `heap` (which may hold stale keys). */
  private readonly buffer = new Map<string, { user: string; session: Session; views: number }>();
  private readonly heap = new EndHeap();
  late = 0;

  constructor(private readonly emit: (user: string, session: Session) => void) {}

  process(user: string, t: number): void {
    const retention = SESSION_GAP_MS + SESSION_GRACE_MS;
    this.streamTime = Math.max(this.streamTime, t);
    const closeTime = this.streamTime - retention;
    const mine = this.sessions.get(user) ?? [];
    // The session store finds sessions still within retention of its latest end.
    const earliestEnd = Math.max(t - SESSION_GAP_MS, this.latestEnd - retention);
    const merging = mine.filter((s) => s.end >= earliestEnd && s.start <= t + SESSION_GAP_MS);
    const merged: Session = { start: t, end: t, views: 1 };
    for (const s of merging) {
      merged.start = Math.min(merged.start, s.start);
      merged.end = Math.max(merged.end, s.end);
      merged.views += s.views;
    }
    if (merged.end < closeTime) {
      this.late++;
      return;
    }
    if (merged.start !== t || merged.end !== t) {
      // The merged sessions are deleted; each deletion is forwarded (a tombstone at its end).
      for (const s of merging) this.forward(user, s, null);
    }
    // Sessions out of retention are never found again (their rows are in the suppression buffer or emitted).
    const kept = mine.filter((s) => !merging.includes(s) && s.end >= this.latestEnd - retention);
    kept.push(merged);
    this.sessions.set(user, kept);
    this.latestEnd = Math.max(this.latestEnd, merged.end);
    this.forward(user, merged, merged.views);
  }

  /** suppress(untilWindowCloses): buffer the latest value per session, emit once end + gap + grace is reached. */
  private forward(user: string, session: Session, views: number | null): void {
    const key = `${user}@${session.start}..${session.end}`;
    this.suppressTime = Math.max(this.suppressTime, session.end);
    if (views === null) {
      // A deletion replaces the pending value, which is then never emitted (same as dropping it).
      this.buffer.delete(key);
    } else {
      this.buffer.set(key, { user, session, views });
      this.heap.push(session.end, key);
    }
    const expiry = this.suppressTime - SESSION_GAP_MS - SESSION_GRACE_MS;
    while (this.heap.minEnd() <= expiry) {
      const due = this.heap.pop();
      const entry = this.buffer.get(due);
      if (!entry) continue;
      this.buffer.delete(due);
      this.emit(entry.user, { ...entry.session, views: entry.views });
    }
  }
}

function expectedSessions(stream: Clickstream, partitions: number): ExpectedTable {
  const partitionOfUser = stream.userNames.map((user) => partitionFor(user, partitions));
  const lines: string[] = [];
  const tasks = Array.from({ length: partitions }, () => new SessionTask((user, s) => lines.push(tableLine(user, s.start, s.end, s.views))));
  for (let i = 0; i < stream.count; i++) {
    const user = stream.user[i] ?? 0;
    const task = tasks[partitionOfUser[user] ?? 0]!;
    task.process(stream.userNames[user]!, stream.timestamp[i]!);
  }
  // The ticks: stream time passes every session's end + gap + grace, so every session is emitted.
  for (const [p, task] of tasks.entries()) task.process(`${TICK_PREFIX}-p${p}`, tickTime(stream));
  const real = lines.filter((line) => !line.startsWith(TICK_PREFIX)).sort();
  const views = real.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf('=') + 1)), 0);
  return {
    lines: real,
    rows: real.length,
    views,
    lateDropped: tasks.reduce((sum, t) => sum + t.late, 0),
  };
}
