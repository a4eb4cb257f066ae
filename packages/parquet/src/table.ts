import path from 'node:path';
import type { TableSchema } from '@weir/avro';
import { type TableCheck, verifyTable } from './check-table.js';
import type { Commit, DataFile, SourceOffsets, TableOperation } from './commit.js';
import { TableNotFoundError } from './errors.js';
import type { Filter } from './filter.js';
import { loadState, type TableState } from './internal/table-state.js';
import type { PartitionField } from './partitioning.js';
import { type ScanOptions, type ScanStats, TableScan, type TableRow } from './table-scan.js';

/** One commit as {@link Table.history} lists it. */
export interface HistoryEntry {
  version: number;
  timestamp: Date;
  operation: TableOperation;
  /** Paths of the files added and removed. */
  added: string[];
  removed: string[];
  /** Rows in the added files, and in the removed ones. */
  rowsAdded: number;
  rowsRemoved: number;
  sources: SourceOffsets;
  schemaVersion: number;
  weirVersion: string;
  writer?: string;
}

/** Options of {@link openTable}. */
export interface OpenTableOptions {
  /** The version to read (time travel). Default: the latest. */
  version?: number;
}

/**
 * A snapshot of a table: the result of replaying its commit log up to one version. It never
 * changes; open the table again to see later commits. Only committed files are ever read.
 */
export class Table {
  /** The counters of the last scan or count that ran on this snapshot. */
  lastScanStats: ScanStats | undefined;

  /** @internal Built by {@link openTable}. */
  constructor(
    /** The table directory. */
    readonly dir: string,
    private readonly state: TableState,
  ) {}

  /** The snapshot's version (the number of its last commit). */
  get version(): number {
    return this.state.version;
  }

  /** The table's name. */
  get name(): string {
    return this.state.name;
  }

  /** The table schema at this version: scans return rows of it, whatever schema files were written with. */
  get schema(): TableSchema {
    return this.state.schema.columns;
  }

  /** The version number of {@link schema}. */
  get schemaVersion(): number {
    return this.state.schema.version;
  }

  /** The table's partitioning at this version. */
  get partitionBy(): readonly PartitionField[] {
    return this.state.partitionBy;
  }

  /**
   * Reads rows: only the columns asked for (plus the filter's), skipping files whose commit
   * statistics and row groups whose Parquet statistics rule the filter out. Rows of files
   * written with an older schema version come out in the current schema (a column added since
   * reads as `null`). See `scan.stats` (and {@link lastScanStats}) for what was read and skipped.
   *
   * @throws InvalidQueryError for an unknown column or a literal of the wrong type (at once)
   * @throws DataFileError while iterating, when a committed file is missing or unreadable
   * @example
   * ```ts
   * const table = await openTable('/data/tables/counts');
   * const scan = table.scan({ columns: ['user', 'count'], filter: col('window_start').gte(since), limit: 100 });
   * for await (const row of scan) console.log(row.user, row.count);
   * console.log(scan.stats.rowGroupsSkipped);
   * ```
   */
  scan<R extends TableRow = TableRow>(options: ScanOptions = {}): TableScan<R> {
    const scan = new TableScan<R>(
      { table: this.dir, schema: this.schema, schemas: this.state.schemas, files: this.liveFiles() },
      options,
    );
    this.lastScanStats = scan.stats;
    return scan;
  }

  /**
   * Counts rows; without a filter from the commit log alone (no file is read).
   * @example
   * ```ts
   * const recent = await table.count(col('window_start').gte(new Date('2026-11-26')));
   * ```
   */
  async count(filter?: Filter): Promise<number> {
    if (filter === undefined) return this.liveFiles().reduce((sum, file) => sum + file.rows, 0);
    let count = 0;
    for await (const _ of this.scan({ columns: [], filter })) count++;
    return count;
  }

  /** The committed files of this snapshot, in commit order. */
  files(): DataFile[] {
    return this.liveFiles().map(({ addedIn: _, ...file }) => file);
  }

  /** Absolute paths of {@link files}: hand them to another reader (DuckDB's `read_parquet`). */
  filePaths(): string[] {
    return this.liveFiles().map((file) => path.resolve(this.dir, file.path));
  }

  /** The commits up to this version, oldest first. */
  history(): HistoryEntry[] {
    const rowsByPath = new Map<string, number>();
    return this.state.commits.map((commit: Commit) => {
      for (const file of commit.added) rowsByPath.set(file.path, file.rows);
      return {
        version: commit.version,
        timestamp: new Date(commit.timestamp),
        operation: commit.operation,
        added: commit.added.map((file) => file.path),
        removed: [...commit.removed],
        rowsAdded: commit.added.reduce((sum, file) => sum + file.rows, 0),
        rowsRemoved: commit.removed.reduce((sum, file) => sum + (rowsByPath.get(file) ?? 0), 0),
        sources: commit.sources,
        schemaVersion: commit.schema.version,
        weirVersion: commit.weirVersion,
        ...(commit.writer === undefined ? {} : { writer: commit.writer }),
      };
    });
  }

  /**
   * Where the table's commits ended for each source partition (`"<topic>:<partition>"` to the
   * exclusive end offset): where a sink resumes after a restart.
   */
  sourceOffsets(): Record<string, string> {
    return Object.fromEntries([...this.state.sources].map(([key, position]) => [key, position.to.toString()]));
  }

  /** Checks the table directory against the latest commit; see {@link verifyTable}. */
  check(): Promise<TableCheck> {
    return verifyTable(this.dir);
  }

  private liveFiles() {
    return [...this.state.files.values()].sort((a, b) => a.addedIn - b.addedIn || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

/**
 * Opens a snapshot of the table in `dir` by replaying its commit log, the latest version or
 * `options.version` (time travel). Files in `data/` that no commit lists are never read.
 *
 * @throws TableNotFoundError when `dir` has no commit, or not the version asked for
 * @throws CorruptTableError when a commit does not parse
 * @example
 * ```ts
 * const table = await openTable('/data/tables/counts');
 * const before = await openTable('/data/tables/counts', { version: table.version - 1 });
 * console.log(await table.count(), await before.count());
 * ```
 */
export async function openTable(dir: string, options: OpenTableOptions = {}): Promise<Table> {
  const state = await loadState(dir, options.version);
  if (!state.exists) throw new TableNotFoundError(`No table at ${dir}: its _weir_log has no commit`, { context: { file: dir } });
  return new Table(dir, state);
}
