import { Observable } from 'rxjs';
import type { Commit } from './commit.js';
import type { Filter } from './filter.js';
import { bindFilter } from './internal/filter-eval.js';
import { emptyScanStats, scanFiles } from './internal/scan-files.js';
import { catchUp, TableState } from './internal/table-state.js';
import type { TableRow } from './table-scan.js';

/** Options of {@link watchTable} and {@link watchCommits}. */
export interface WatchOptions {
  /** How often the log directory is polled for new commits, in milliseconds. Default: `1000`. */
  intervalMs?: number;
  /** Emit commits after this version. Default: the latest version at subscription (only new commits). Use `-1` for all. */
  afterVersion?: number;
}

/** Options of {@link watchTable}. */
export interface WatchTableOptions extends WatchOptions {
  /** Columns of the emitted rows. Default: all. */
  columns?: readonly string[];
  /** Only rows that match. Default: all rows. */
  filter?: Filter;
}

function poll<T>(dir: string, options: WatchOptions, emit: (state: TableState, commit: Commit) => AsyncIterable<T> | T[]): Observable<T> {
  const { intervalMs = 1000, afterVersion } = options;
  return new Observable<T>((subscriber) => {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const state = new TableState();
    let next = -1;
    const tick = async (): Promise<void> => {
      await catchUp(dir, state);
      // Commit numbers are dense from 0, so commits[v] is version v.
      if (next < 0) next = (afterVersion ?? state.version) + 1;
      while (next <= state.version && !stopped) {
        const commit = state.commits[next++]!;
        for await (const item of emit(state, commit)) {
          if (stopped) return;
          subscriber.next(item);
        }
      }
    };
    const loop = (): void => {
      tick().then(
        () => {
          if (!stopped) timer = setTimeout(loop, intervalMs);
        },
        (error: unknown) => subscriber.error(error),
      );
    };
    loop();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  });
}

/**
 * The commits of a table as they land: an Observable polling `_weir_log/` every `intervalMs`
 * (default 1 s). Starts after the latest version at subscription unless `afterVersion` says
 * otherwise; waits for the table to be created when it does not exist yet. Unsubscribing stops
 * the polling.
 *
 * @example
 * ```ts
 * const subscription = watchCommits(dir).subscribe((commit) => console.log(commit.version, commit.operation));
 * ```
 */
export function watchCommits(dir: string, options: WatchOptions = {}): Observable<Commit> {
  return poll(dir, options, (_state, commit) => [commit]);
}

/**
 * The rows of each new `write` commit of a table, as they land (a push query): an Observable
 * polling `_weir_log/` every `intervalMs` (default 1 s), reading the files each new commit adds
 * (compactions re-add rows already emitted and are skipped). Rows come in the latest schema.
 *
 * @example
 * ```ts
 * watchTable(dir, { filter: col('user').eq('ada'), intervalMs: 250 })
 *   .pipe(map((row) => row.count))
 *   .subscribe(console.log);
 * ```
 */
export function watchTable<R extends TableRow = TableRow>(dir: string, options: WatchTableOptions = {}): Observable<R> {
  const { columns, filter } = options;
  return poll(dir, options, (state, commit) => {
    if (commit.operation !== 'write' || commit.added.length === 0) return [];
    const schema = state.schema.columns;
    const files = commit.added.map((file) => ({ ...file, addedIn: commit.version }));
    return scanFiles(
      {
        table: dir,
        schema,
        schemas: state.schemas,
        files,
        columns: columns ?? schema.map((c) => c.name),
        ...(filter === undefined ? {} : { filter: bindFilter(filter, schema) }),
      },
      emptyScanStats(),
    ) as AsyncIterable<R>;
  });
}
