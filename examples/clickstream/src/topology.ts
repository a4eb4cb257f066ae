/**
 * The clickstream topology: page views in, two exactly-once Parquet tables out.
 *
 * - `page_views_per_minute`: views per page per 1-minute tumbling window (grace 10 s,
 *   emit-on-close), Hive-partitioned by the window's day (`data/window_date=YYYY-MM-DD/`).
 * - `user_sessions`: views per user session (session windows, inactivity gap 5 min, grace 10 s,
 *   emit-on-close).
 *
 * This module only builds the topology, so `weir describe` and `weir run` can load it; the demo
 * (main.ts) runs it in process with `WeirApp`.
 */
import path from 'node:path';
import { Columns } from '@weir/avro';
import {
  Consumed,
  EmitStrategy,
  Grouped,
  type KStream,
  Materialized,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  type Topology,
  type Windowed,
  windowedSerde,
} from '@weir/core';
import { parquetSink, type RollPolicy } from '@weir/parquet';
import type { PageView } from './generator.js';

/** The input topic. */
export const PAGE_VIEWS_TOPIC = 'page-views';
/** Table names: also their directories under the tables directory, and the sink names. */
export const PAGES_TABLE = 'page_views_per_minute';
export const SESSIONS_TABLE = 'user_sessions';

export const WINDOW_SIZE_MS = 60_000;
export const WINDOW_GRACE_MS = 10_000;
export const SESSION_GAP_MS = 5 * 60_000;
export const SESSION_GRACE_MS = 10_000;

/**
 * Users and pages of "tick" records. Emit-on-close only emits a window once stream time reaches
 * its end plus grace (for sessions: end + gap + grace), and stream time only moves with records.
 * So the producer ends with a few tick records, later than every real view, on every partition;
 * they go through both aggregations like any view (that is what moves stream time) and are
 * filtered out of the tables.
 */
export const TICK_PREFIX = '__tick';

/** Whether a user or page name belongs to a tick record. */
export function isTick(name: string): boolean {
  return name.startsWith(TICK_PREFIX) || name.startsWith(`/${TICK_PREFIX}`);
}

/** Columns of `page_views_per_minute`. */
export const pageViewsColumns = [
  Columns.string('page'),
  Columns.timestampMillis('window_start'),
  Columns.timestampMillis('window_end'),
  Columns.int64('views'),
];

/** Columns of `user_sessions`. `session_start` and `session_end` are the first and last view (both inclusive). */
export const userSessionsColumns = [
  Columns.string('user'),
  Columns.timestampMillis('session_start'),
  Columns.timestampMillis('session_end'),
  Columns.int64('views'),
];

/** Options of {@link clickstreamTopology}. Every field is optional. */
export interface ClickstreamTopologyOptions {
  /** Input topic. Default {@link PAGE_VIEWS_TOPIC}. */
  input?: string;
  /** Directory holding both tables. Default `$CLICKSTREAM_TABLES`, else `./out/tables`. */
  tablesDir?: string;
  /** When the sinks roll their files. Default `{ rows: 100_000, intervalMs: 5_000 }`. */
  roll?: RollPolicy;
}

/** Where the two tables of a tables directory live. */
export function tableDirs(tablesDir: string): { pages: string; sessions: string } {
  return { pages: path.join(tablesDir, PAGES_TABLE), sessions: path.join(tablesDir, SESSIONS_TABLE) };
}

/**
 * Adds the per-page windowed count to `views`: views per page per 1-minute tumbling window (grace
 * 10 s, emit-on-close), repartitioned by page, into the `page_views_per_minute` Parquet table at
 * `dir`. The benchmark (bench/src/pipeline.ts) measures this very pipeline.
 */
export function pageViewsPerMinute(views: KStream<string, PageView>, dir: string, roll: RollPolicy): void {
  views
    .groupBy((_user, view) => view.page, Grouped.with(Serdes.String(), Serdes.Json<PageView>()).withName('views-by-page'))
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_SIZE_MS, WINDOW_GRACE_MS))
    .emitStrategy(EmitStrategy.onWindowClose())
    .count(Materialized.as('page-views-per-minute'))
    .toStream()
    .filter((window) => !isTick(window.key))
    .to(
      parquetSink<Windowed<string>, number>(dir, {
        name: PAGES_TABLE,
        schema: pageViewsColumns,
        keySerde: windowedSerde(Serdes.String()),
        valueSerde: Serdes.Json<number>(),
        toRow: (window, views) => ({
          page: window.key,
          window_start: new Date(window.window.start),
          window_end: new Date(window.window.end),
          views: BigInt(views),
        }),
        keyColumns: ['page'],
        sortBy: ['window_start', 'page'],
        partitionBy: [{ name: 'window_date', column: 'window_start', transform: 'day' }],
        roll,
      }),
    );
}

/**
 * Builds the clickstream topology (stateful: a window store and a session store, each with a
 * changelog; the per-page count repartitions by page).
 *
 * @param options - input topic, tables directory, roll policy
 * @returns the topology, ready for `new WeirApp(topology, config)` or `weir run`
 * @example
 * const topology = clickstreamTopology({ tablesDir: '/tmp/clickstream/tables' });
 * console.log(topology.describe());
 */
export function clickstreamTopology(options: ClickstreamTopologyOptions = {}): Topology {
  const {
    input = PAGE_VIEWS_TOPIC,
    tablesDir = process.env.CLICKSTREAM_TABLES ?? path.join('out', 'tables'),
    roll = { rows: 100_000, intervalMs: 5_000 },
  } = options;
  const dirs = tableDirs(tablesDir);
  const builder = new StreamsBuilder();
  // Keyed by user: sessions group by the key as it is; the per-page count repartitions by page.
  const views = builder.stream(input, Consumed.with(Serdes.String(), Serdes.Json<PageView>()));

  pageViewsPerMinute(views, dirs.pages, roll);

  // Emit-on-close through suppress(untilWindowCloses): EmitStrategy.onWindowClose() on session
  // windows rescans the store's current segment on every record (see README, "Notes").
  views
    .groupByKey()
    .windowedBy(SessionWindows.ofInactivityGapAndGrace(SESSION_GAP_MS, SESSION_GRACE_MS))
    .count(Materialized.as<string, number>('user-sessions'))
    .suppress(Suppressed.untilWindowCloses().withName('user-sessions-until-closed'))
    .toStream()
    .filter((session) => !isTick(session.key))
    .to(
      parquetSink<Windowed<string>, number>(dirs.sessions, {
        name: SESSIONS_TABLE,
        schema: userSessionsColumns,
        keySerde: windowedSerde(Serdes.String()),
        valueSerde: Serdes.Json<number>(),
        toRow: (session, views) => ({
          user: session.key,
          session_start: new Date(session.window.start),
          session_end: new Date(session.window.end),
          views: BigInt(views),
        }),
        keyColumns: ['user'],
        sortBy: ['user', 'session_start'],
        roll,
      }),
    );

  return builder.build();
}

export default clickstreamTopology;
