import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppMetrics } from '@weir/kafka';
import { col, openTable, type Table, type TableRow } from '@weir/parquet';
import { readParquet, sqlString, withDuckDB } from './duckdb.js';
import type { Clickstream } from './generator.js';
import { type DemoOptions, PACKAGE_DIR } from './options.js';
import { fmt } from './progress.js';
import { type ExpectedTable, type ExpectedTables, tableLine } from './reference.js';
import type { RepartitionLog } from './repartition-log.js';
import { PAGES_TABLE, SESSIONS_TABLE } from './topology.js';
import type { TablesState } from './wait-tables.js';

/** What the report needs from the run. */
export interface ReportInput {
  options: DemoOptions;
  dirs: { pages: string; sessions: string };
  /** What the tables must hold: sessions replayed over the input, the per-page count over the repartition topic as read. */
  expected: ExpectedTables;
  /** Both aggregations replayed over the clickstream in arrival order (what the generator intends). */
  intended: ExpectedTables;
  log: RepartitionLog;
  metrics: AppMetrics;
  waited: TablesState;
  stream: Clickstream;
  /** From the start of processing (first view produced, or app start with `--backlog`) until every view was consumed and committed. */
  processMs: number;
  /** From the start of processing until every window was committed to the tables. */
  completeMs: number;
  /** The paced producer's limit of views in flight, or undefined with `--backlog`. */
  paced: number | undefined;
  say: (line?: string) => void;
}

/** One table as Weir reads it: every row, with the snapshot's file and row-group counts. */
interface TableSummary {
  table: Table;
  rows: TableRow[];
  lines: string[];
  views: bigint;
  files: number;
  rowGroups: number;
  bytes: number;
}

async function readWithWeir(dir: string, key: string, start: string, end: string): Promise<TableSummary> {
  const table = await openTable(dir);
  const scan = table.scan();
  const rows = await scan.toArray();
  let views = 0n;
  const lines: string[] = [];
  for (const row of rows) {
    views += row.views as bigint;
    lines.push(tableLine(row[key] as string, (row[start] as Date).getTime(), (row[end] as Date).getTime(), row.views as bigint));
  }
  lines.sort();
  const files = table.files();
  return {
    table,
    rows,
    lines,
    views,
    files: files.length,
    rowGroups: scan.stats.rowGroupsRead,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
  };
}

/** The lines of `a` missing from `b` (multiset difference of two sorted lists). */
function missingFrom(a: readonly string[], b: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const line of b) counts.set(line, (counts.get(line) ?? 0) + 1);
  const out: string[] = [];
  for (const line of a) {
    const n = counts.get(line) ?? 0;
    if (n === 0) out.push(line);
    else counts.set(line, n - 1);
  }
  return out;
}

/** A text table with right-aligned numbers. */
function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[\d,.]+$/.test(r[i]!)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

const minute = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** The `weir` CLI's entry point in this repository, if built. */
function weirCli(): string | undefined {
  const cli = path.resolve(PACKAGE_DIR, '..', '..', 'packages', 'cli', 'dist', 'cli.js');
  return existsSync(cli) ? cli : undefined;
}

/**
 * Top pages of one window: with `weir query` when the CLI is built and answers, else with the
 * same query through @weir/parquet's scan API. Returns the printed lines and which tool ran.
 */
async function topPages(dir: string, windowStart: number, top: number, useCli: boolean): Promise<{ lines: string[]; via: string }> {
  const cli = useCli ? weirCli() : undefined;
  const iso = new Date(windowStart).toISOString().replace('.000Z', 'Z');
  let fallback = useCli ? 'the weir CLI is not built (packages/cli/dist/cli.js)' : '--no-cli';
  if (cli !== undefined) {
    const args = ['query', dir, '--columns', 'page,views', '--where', `window_start = ${iso}`, '--order-by', 'views:desc', '--limit', String(top), '--format', 'table'];
    const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
    if (result.status === 0 && result.stdout.trim() !== '') {
      const shown = args.map((a) => (a === dir ? path.relative(process.cwd(), dir) || '.' : /[\s'=]/.test(a) ? JSON.stringify(a) : a));
      return { lines: result.stdout.trimEnd().split('\n'), via: `$ weir ${shown.join(' ')}` };
    }
    const why = (result.stderr || result.error?.message || `exit ${result.status}`).trim().split('\n')[0];
    fallback = `weir query failed (${why})`;
  }
  const table = await openTable(dir);
  const rows = await table
    .scan({ columns: ['page', 'views'], filter: col('window_start').eq(new Date(windowStart)), orderBy: { column: 'views', direction: 'desc' }, limit: top })
    .toArray();
  return {
    lines: textTable(
      ['page', 'views'],
      rows.map((r) => [String(r.page), fmt(r.views as bigint)]),
    ),
    via: `(@weir/parquet scan, as ${fallback}: filter window_start = ${iso}, orderBy views desc, limit ${top})`,
  };
}

/**
 * Prints the results and checks them: Weir's scan against DuckDB (same committed files, same
 * row counts and sums, same busiest windows) and against the windows the clickstream implies.
 * Writes `summary.json` to the output directory.
 *
 * @returns the number of failed checks
 */
export async function report(input: ReportInput): Promise<number> {
  const { options, dirs, expected, intended, log, metrics, waited, stream, processMs, completeMs, paced, say } = input;
  const failures: string[] = [];
  const check = (ok: boolean, what: string) => {
    say(`  ${ok ? 'OK  ' : 'FAIL'} ${what}`);
    if (!ok) failures.push(what);
  };

  const pages = await readWithWeir(dirs.pages, 'page', 'window_start', 'window_end');
  const sessions = await readWithWeir(dirs.sessions, 'user', 'session_start', 'session_end');

  // Busiest windows and their top pages.
  const perWindow = new Map<number, bigint>();
  for (const row of pages.rows) {
    const start = (row.window_start as Date).getTime();
    perWindow.set(start, (perWindow.get(start) ?? 0n) + (row.views as bigint));
  }
  const busiest = [...perWindow].sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : a[0] - b[0])).slice(0, options.windows);
  say(`\n  Busiest ${busiest.length} of ${perWindow.size} one-minute windows, top ${options.top} pages each:`);
  for (const [start, views] of busiest) {
    const { lines, via } = await topPages(dirs.pages, start, options.top, options.cli);
    say(`\n  ${new Date(start).toISOString().slice(0, 10)} ${minute(start)}-${minute(start + 60_000)} UTC: ${fmt(views)} views`);
    say(`    ${via}`);
    for (const line of lines) say(`    ${line}`);
  }

  // Sessions at a glance.
  let longest: TableRow | undefined;
  for (const row of sessions.rows) {
    const length = (row.session_end as Date).getTime() - (row.session_start as Date).getTime();
    if (!longest || length > (longest.session_end as Date).getTime() - (longest.session_start as Date).getTime()) longest = row;
  }
  const users = new Set(sessions.rows.map((r) => r.user)).size;
  say(
    `\n  ${fmt(sessions.rows.length)} sessions of ${fmt(users)} users, ${(Number(sessions.views) / Math.max(1, sessions.rows.length)).toFixed(1)} views per session on average` +
      (longest
        ? `; longest: ${longest.user} ${minute((longest.session_start as Date).getTime())}-${minute((longest.session_end as Date).getTime())} UTC, ${fmt(longest.views as bigint)} views`
        : ''),
  );

  // DuckDB reads the same committed files.
  say('\n  DuckDB (@duckdb/node-api) on the files of the committed snapshots:');
  const duck = await withDuckDB(async (query) => {
    const totals = async (summary: TableSummary) => {
      const files = summary.table.filePaths();
      if (files.length === 0) return { rows: 0n, views: 0n, rowGroups: 0n };
      const [t] = await query(`SELECT count(*) AS n, coalesce(sum(views), 0) AS views FROM ${readParquet(files)}`);
      const [g] = await query(`SELECT count(*) AS n FROM (SELECT DISTINCT file_name, row_group_id FROM parquet_metadata([${files.map(sqlString).join(', ')}]))`);
      return { rows: BigInt(String(t!.n)), views: BigInt(String(t!.views)), rowGroups: BigInt(String(g!.n)) };
    };
    const files = pages.table.filePaths();
    const busiestByDuck =
      files.length === 0
        ? []
        : await query(
            `SELECT epoch_ms(window_start) AS start, sum(views) AS views FROM ${readParquet(files)} ` +
              `GROUP BY window_start ORDER BY views DESC, window_start LIMIT ${options.windows}`,
          );
    return {
      pages: await totals(pages),
      sessions: await totals(sessions),
      busiest: busiestByDuck.map((r) => `${Number(r.start)}=${String(r.views)}`),
    };
  });
  for (const [name, weir, db] of [
    [PAGES_TABLE, pages, duck.pages],
    [SESSIONS_TABLE, sessions, duck.sessions],
  ] as const) {
    check(
      db.rows === BigInt(weir.rows.length) && db.views === weir.views,
      `${name}: DuckDB ${fmt(db.rows)} rows, sum(views) ${fmt(db.views)}; Weir scan ${fmt(weir.rows.length)} rows, sum(views) ${fmt(weir.views)}`,
    );
    check(db.rowGroups === BigInt(weir.rowGroups), `${name}: ${fmt(weir.files)} files, ${fmt(weir.rowGroups)} row groups (DuckDB parquet_metadata: ${fmt(db.rowGroups)})`);
  }
  check(
    duck.busiest.join(',') === busiest.map(([s, v]) => `${s}=${v}`).join(','),
    `busiest windows: DuckDB's GROUP BY window_start matches Weir's (${busiest.map(([s]) => minute(s)).join(', ')})`,
  );

  // What the windows imply.
  say('\n  Against the aggregations replayed per task (sessions over the input partitions, the per-page count over the repartition topic; see reference.ts):');
  check(
    log.missing === 0 && log.extra === 0,
    `repartition topic: every page view exactly once (${fmt(log.records)} records read_committed, ticks included; ${fmt(log.missing)} missing, ${fmt(log.extra)} extra)`,
  );
  const compare = (name: string, summary: TableSummary, want: ExpectedTable) => {
    const same = summary.lines.length === want.lines.length && summary.lines.every((line, i) => line === want.lines[i]);
    check(same, `${name}: ${fmt(summary.rows.length)} rows, ${fmt(summary.views)} views; expected ${fmt(want.rows)} rows, ${fmt(want.views)} views`);
    if (!same) {
      const extra = missingFrom(summary.lines, want.lines);
      const missing = missingFrom(want.lines, summary.lines);
      say(`       ${extra.length} unexpected rows, e.g. ${extra.slice(0, 3).join(' ') || '-'}`);
      say(`       ${missing.length} missing rows, e.g. ${missing.slice(0, 3).join(' ') || '-'}`);
    }
  };
  compare(PAGES_TABLE, pages, expected.pages);
  compare(SESSIONS_TABLE, sessions, expected.sessions);
  const late = metrics.recordsDropped.late;
  const expectedLate = expected.pages.lateDropped + expected.sessions.lateDropped;
  check(
    late === expectedLate,
    `late records dropped (app.metrics().recordsDropped.late): ${fmt(late)}; expected ${fmt(expectedLate)} ` +
      `(${fmt(expected.pages.lateDropped)} by the per-minute count, ${fmt(expected.sessions.lateDropped)} by the sessions)`,
  );
  if (!waited.complete) failures.push('the tables never reached the expected row counts');

  const processed = stream.count / (processMs / 1000);
  say('\n  Figures:');
  const delayed = stream.arrival.filter((a) => a === 2).length;
  say(`    page views          ${fmt(stream.count)}, of which ${fmt(delayed)} delayed past window end + grace`);
  const how =
    paced === undefined
      ? 'from app start until every view was consumed and committed, from a backlog'
      : `from the first view produced until every view was consumed and committed; producer paced to ${fmt(paced)} views in flight`;
  say(`    throughput          ${fmt(Math.round(processed))} page views/s (${(processMs / 1000).toFixed(1)} s ${how})`);
  say(`    records processed   ${fmt(metrics.recordsProcessed)} by the app's tasks (each view twice: session task and, after the repartition, page task)`);
  say(`    tables complete     ${(completeMs / 1000).toFixed(1)} s after processing started`);
  const interleaved = expected.pages.lateDropped - intended.pages.lateDropped;
  say(
    `    late dropped        ${fmt(late)} (app.metrics()): ${fmt(intended.pages.lateDropped)} would be late in arrival order` +
      (interleaved > 0 ? `, ${fmt(interleaved)} more because the repartition topic interleaves the upstream tasks' commits (README, "Pacing")` : '') +
      (late < delayed ? `; ${fmt(delayed - late)} delayed views came before stream time had passed their window` : ''),
  );
  say(`    commits             ${fmt(metrics.commits)} (max commit latency ${metrics.commitLatencyMs.max} ms)`);
  say(`    ${PAGES_TABLE.padEnd(22)}${fmt(pages.rows.length)} rows, ${fmt(pages.files)} files, ${fmt(pages.rowGroups)} row groups, ${fmt(pages.bytes)} bytes, version ${pages.table.version}`);
  say(`    ${SESSIONS_TABLE.padEnd(22)}${fmt(sessions.rows.length)} rows, ${fmt(sessions.files)} files, ${fmt(sessions.rowGroups)} row groups, ${fmt(sessions.bytes)} bytes, version ${sessions.table.version}`);
  say(`    output directory    ${options.outDir}`);

  const summary = {
    events: stream.count,
    seed: options.seed,
    eventTime: { start: new Date(stream.startMs).toISOString(), end: new Date(stream.endMs).toISOString() },
    throughputEventsPerSecond: Math.round(processed),
    processSeconds: processMs / 1000,
    completeSeconds: completeMs / 1000,
    lateDropped: late,
    lateInArrivalOrder: intended.pages.lateDropped + intended.sessions.lateDropped,
    metrics,
    tables: Object.fromEntries(
      (
        [
          [PAGES_TABLE, pages, dirs.pages],
          [SESSIONS_TABLE, sessions, dirs.sessions],
        ] as const
      ).map(([name, s, dir]) => [name, { dir, rows: s.rows.length, views: Number(s.views), files: s.files, rowGroups: s.rowGroups, bytes: s.bytes, version: s.table.version }]),
    ),
    busiestWindows: busiest.map(([start, views]) => ({ start: new Date(start).toISOString(), views: Number(views) })),
    failures,
  };
  await writeFile(path.join(options.outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  if (failures.length > 0) say(`\n  ${failures.length} check(s) FAILED:\n${failures.map((f) => `    - ${f}`).join('\n')}`);
  return failures.length;
}
