import path from 'node:path';
import { evolveColumns, type TableSchema } from '@weir/avro';
import type { ParquetCodec } from './codec.js';
import type { Commit, SourceOffsets } from './commit.js';
import { commitWithState, type FileToAdd } from './commit-files.js';
import { DATA_DIR } from './internal/commit-log.js';
import { checkContinuity } from './internal/continuity.js';
import { encodeValue } from './internal/encode-values.js';
import { sinkFileBase } from './internal/file-names.js';
import { compareValues, type Scalar } from './internal/values.js';
import { catchUp, loadState, type TableState } from './internal/table-state.js';
import { checkPartitioning, type PartitionField, partitionDir, partitionOf } from './partitioning.js';
import type { TableRow } from './table-scan.js';
import { writeParquetFile } from './write-parquet-file.js';

/** Options of {@link TableWriter.open}. */
export interface TableWriterOptions {
  /** The schema rows are written with; a change from the table's is checked and recorded at the next commit. */
  schema: TableSchema;
  /** The table name, for a new table. Default: the directory name. */
  name?: string;
  /** Hive-style partitioning of new files. Default: the table's (none for a new table). */
  partitionBy?: readonly PartitionField[];
  /** Key columns: dictionary-encoded, and the default sort. Default: `[]`. */
  keyColumns?: readonly string[];
  /** Rows are sorted by these scalar columns within each file, so row-group statistics prune well. Default: `keyColumns`. */
  sortBy?: readonly string[];
  /** Default: `'SNAPPY'`. */
  codec?: ParquetCodec;
  /** Rows per row group. Default: `100_000`. */
  rowGroupSize?: number;
  /** Names the writer in its commits. Default: none. */
  writer?: string;
}

/** Options of {@link TableWriter.write}. */
export interface WriteBatchOptions {
  /** The source offsets the rows cover: checked for continuity, recorded, and naming the files. Default: none. */
  sources?: SourceOffsets;
}

/**
 * Appends batches of rows to a table, one commit per batch: the rows are split by partition,
 * sorted, written as Parquet files (temp name, fsync, rename), then recorded in one commit with
 * the source offsets they cover. The writer keeps its replay of the log and only reads new
 * commits before each batch.
 *
 * Exactly-once: a batch's `sources` must continue the table's (see {@link commitFiles}); that is
 * checked before any file is written (so a zombie or a replay fails fast) and again at commit.
 * File names derive from the offsets, so a replay writes the same names. Files of a failed
 * batch are left in place (another writer may own the same names); {@link vacuum} removes
 * uncommitted ones after the retention period.
 *
 * @example
 * ```ts
 * const writer = await TableWriter.open('/data/tables/counts', {
 *   schema, keyColumns: ['user'], partitionBy: [{ name: 'window_date', column: 'window_start', transform: 'day' }],
 * });
 * await writer.write(rows, { sources: { 'counts-outbox:0': { from: '100', to: '250' } } });
 * ```
 */
export class TableWriter {
  private constructor(
    readonly dir: string,
    private readonly options: TableWriterOptions,
    private readonly state: TableState,
  ) {}

  /**
   * Opens a writer on the table in `dir` (which may not exist yet: the first batch creates it).
   * @throws TableError when a partition field names no column of the schema
   */
  static async open(dir: string, options: TableWriterOptions): Promise<TableWriter> {
    const state = await loadState(dir);
    checkPartitioning(options.partitionBy ?? state.partitionBy, options.schema);
    return new TableWriter(dir, options, state);
  }

  /** The version of the last commit this writer has seen (-1 before the table exists). */
  get version(): number {
    return this.state.version;
  }

  /**
   * Checks this writer's schema against the table's, as the next {@link write} will, without
   * writing: a sink calls it when it starts, so an incompatible schema stops it before any file
   * is written.
   * @returns the schema version this writer's files will carry (`undefined`: the next version,
   *   or the first)
   * @throws IncompatibleSchemaError (from @weir/avro) naming each column old files could not be read as
   */
  async checkSchema(): Promise<number | undefined> {
    await catchUp(this.dir, this.state);
    return this.fileSchemaVersion();
  }

  /**
   * The schema version of the files this writer writes: the table's current one when the schema
   * is the same; an older version when the schema equals one the table had and the table's
   * current schema reads it (a writer not yet upgraded during a rolling deploy: its commits
   * must not take the new column away); `undefined` when the commit brings a new version,
   * which must be a compatible evolution of the current one.
   */
  private fileSchemaVersion(): number | undefined {
    const { schema } = this.options;
    const { state } = this;
    if (!state.exists) return undefined;
    const same = (columns: TableSchema) => JSON.stringify(columns) === JSON.stringify(schema);
    if (same(state.schema.columns)) return state.schema.version;
    for (const [version, columns] of state.schemas) {
      if (version === state.schema.version || !same(columns)) continue;
      try {
        evolveColumns(columns, state.schema.columns);
        return version;
      } catch {
        // The table moved on incompatibly since (columns dropped and re-added): evolve anew.
      }
    }
    evolveColumns(state.schema.columns, schema);
    return undefined;
  }

  /** The committed end offset per source partition, after reading new commits: where to resume. */
  async sourceOffsets(): Promise<Record<string, string>> {
    await catchUp(this.dir, this.state);
    return Object.fromEntries([...this.state.sources].map(([key, position]) => [key, position.to.toString()]));
  }

  /**
   * Writes `rows` as the table's next commit (a commit without files when `rows` is empty and
   * offsets are given: the offsets still advance).
   *
   * @returns the commit
   * @throws AlreadyCommittedError when the table already holds `sources` (nothing is written)
   * @throws ContinuityError when `sources` do not continue the table's (nothing is written
   *   when detected before writing; else the files stay uncommitted)
   * @throws InvalidRowError naming the column of a value that does not fit the schema
   */
  async write(rows: Iterable<TableRow>, options: WriteBatchOptions = {}): Promise<Commit> {
    const { sources = {} } = options;
    const { schema, keyColumns = [], sortBy = keyColumns, codec, rowGroupSize, writer, name } = this.options;
    await catchUp(this.dir, this.state);
    // Fail fast: a replay, a zombie or an incompatible schema learns it before writing any file.
    if (Object.keys(sources).length > 0) checkContinuity(this.dir, this.state, sources);
    const fileSchemaVersion = this.fileSchemaVersion();
    const partitionBy = [...(this.options.partitionBy ?? this.state.partitionBy)];
    const groups = new Map<string, { partition: Record<string, string>; rows: TableRow[] }>();
    for (const row of rows) {
      const partition = partitionOf(partitionBy, row);
      const dir = partitionDir(partitionBy, partition);
      const group = groups.get(dir) ?? { partition, rows: [] };
      groups.set(dir, group);
      group.rows.push(row);
    }
    const sortColumns = sortBy.map((column) => schema.find((c) => c.name === column) as Scalar | undefined);
    const base = sinkFileBase(sources);
    const ranges = Object.fromEntries(Object.entries(sources).map(([key, range]) => [key, [range]]));
    const add: FileToAdd[] = [];
    for (const [dir, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (sortColumns.length > 0) {
        // Validate the sort keys first: comparing values of the wrong JS type could throw a TypeError.
        for (const column of sortColumns) if (column !== undefined) for (const row of group.rows) encodeValue(column, row[column.name]);
        group.rows.sort((a, b) => compareRows(sortColumns, a, b));
      }
      const relative = path.posix.join(DATA_DIR, dir, `${base}.parquet`);
      const written = await writeParquetFile(path.join(this.dir, relative), schema, group.rows, {
        keyColumns,
        ...(codec === undefined ? {} : { codec }),
        ...(rowGroupSize === undefined ? {} : { rowGroupSize }),
        table: { name: this.state.exists ? this.state.name : (name ?? path.basename(path.resolve(this.dir))), path: path.resolve(this.dir) },
        sources: ranges,
        ...(partitionBy.length === 0 ? {} : { partition: group.partition }),
      });
      add.push({
        path: relative,
        rows: written.rows,
        bytes: written.bytes,
        stats: written.stats,
        partition: group.partition,
        ...(fileSchemaVersion === undefined ? {} : { schemaVersion: fileSchemaVersion }),
      });
    }
    return commitWithState(this.dir, this.state, {
      add,
      sources,
      // An older writer leaves the table's newer schema alone (its files name their own version).
      ...(fileSchemaVersion === undefined ? { schema } : {}),
      partitionBy,
      ...(name === undefined ? {} : { name }),
      ...(writer === undefined ? {} : { writer }),
    });
  }
}

function compareRows(columns: (Scalar | undefined)[], a: TableRow, b: TableRow): number {
  for (const column of columns) {
    if (column === undefined) continue;
    const x = a[column.name];
    const y = b[column.name];
    const xNull = x === null || x === undefined;
    const yNull = y === null || y === undefined;
    if (xNull || yNull) {
      if (xNull !== yNull) return xNull ? 1 : -1;
      continue;
    }
    const order = compareValues(column, x, y);
    if (order !== 0) return order;
  }
  return 0;
}
