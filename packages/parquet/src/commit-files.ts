import path from 'node:path';
import { evolveColumns, type TableSchema } from '@weir/avro';
import type { Commit, DataFile, SourceOffsets, SourceRange, TableOperation, VersionedSchema } from './commit.js';
import { CommitConflictError, TableError, TableNotFoundError } from './errors.js';
import { tryCreateCommit } from './internal/commit-log.js';
import { checkContinuity } from './internal/continuity.js';
import { catchUp, loadState, type TableState } from './internal/table-state.js';
import { checkPartitioning, type PartitionField } from './partitioning.js';
import { TABLE_FORMAT_VERSION, WEIR_VERSION } from './version.js';

/** A file to add: a {@link DataFile} whose `schemaVersion` and `sources` may be left to the commit. */
export type FileToAdd = Omit<DataFile, 'schemaVersion' | 'sources' | 'partition'> & {
  /** Default: the schema version of the commit. */
  schemaVersion?: number;
  /** Default: the commit's sources, one range per source partition. */
  sources?: Record<string, SourceRange[]>;
  /** Default: `{}`. */
  partition?: Record<string, string>;
};

/** Options of {@link commitFiles}. */
export interface CommitFilesOptions {
  /** Default: `'write'` when adding files or offsets, `'compact'` when only replacing files, else `'schema'`. */
  operation?: TableOperation;
  /** Files to add, already in place under `data/`. Default: none. */
  add?: readonly FileToAdd[];
  /** Paths (relative to the table) of files to remove; each must be in the table. Default: none. */
  remove?: readonly string[];
  /** Source offsets the commit covers; checked for continuity. Default: none. */
  sources?: SourceOffsets;
  /** The table schema; a change is checked with `evolveColumns` and gets the next version. Required for the first commit. */
  schema?: TableSchema;
  /** The table name, used by the first commit (a table keeps its name). Default: the directory's name. */
  name?: string;
  /** The table's partitioning. Default: unchanged (none for a new table). */
  partitionBy?: readonly PartitionField[];
  /** Names the writer in the commit, for humans. Default: none. */
  writer?: string;
  /** Tries at the next commit number before giving up. Default: `100`. */
  maxAttempts?: number;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function checkPath(table: string, file: string): void {
  const normal = path.posix.normalize(file);
  if (normal !== file || !file.startsWith('data/') || file.includes('/../') || !file.endsWith('.parquet')) {
    throw new TableError(`File "${file}" must be a normalized path "data/....parquet" relative to table ${table}`);
  }
}

function nextSchema(state: TableState, schema: TableSchema | undefined): VersionedSchema {
  if (schema === undefined) return state.schema;
  if (!state.exists) return { version: 1, columns: schema };
  if (sameJson(schema, state.schema.columns)) return state.schema;
  // Throws IncompatibleSchemaError naming each column old files could not be read as.
  evolveColumns(state.schema.columns, schema);
  return { version: state.schema.version + 1, columns: schema };
}

function prepare(table: string, state: TableState, options: CommitFilesOptions): Commit {
  const { add = [], remove = [], sources = {}, writer } = options;
  if (!state.exists && options.schema === undefined) {
    throw new TableNotFoundError(`No table at ${table}: its first commit needs a schema`, { context: { file: table } });
  }
  const schema = nextSchema(state, options.schema);
  const partitionBy = [...(options.partitionBy ?? state.partitionBy)];
  checkPartitioning(partitionBy, schema.columns);
  for (const file of remove) {
    if (!state.files.has(file)) {
      const removedIn = state.removed.get(file)?.removedIn;
      throw new CommitConflictError(
        `Cannot remove ${file} from table ${table}: it is not in version ${state.version}${removedIn === undefined ? '' : ` (commit ${removedIn} removed it)`}`,
        { context: { file: table } },
      );
    }
  }
  if (Object.keys(sources).length > 0) checkContinuity(table, state, sources);
  const ranges = Object.fromEntries(Object.entries(sources).map(([key, range]) => [key, [range]]));
  const added: DataFile[] = add.map((file) => {
    checkPath(table, file.path);
    if (state.files.has(file.path)) {
      throw new CommitConflictError(`File ${file.path} is already in table ${table}`, { context: { file: table } });
    }
    const schemaVersion = file.schemaVersion ?? schema.version;
    if (schemaVersion !== schema.version && !state.schemas.has(schemaVersion)) {
      throw new TableError(`File ${file.path} names schema version ${schemaVersion}, which table ${table} does not have`);
    }
    return {
      path: file.path,
      rows: file.rows,
      bytes: file.bytes,
      schemaVersion,
      partition: file.partition ?? {},
      stats: file.stats,
      sources: file.sources ?? ranges,
    };
  });
  const operation =
    options.operation ?? (added.length > 0 || Object.keys(sources).length > 0 ? 'write' : remove.length > 0 ? 'compact' : 'schema');
  return {
    formatVersion: TABLE_FORMAT_VERSION,
    version: state.version + 1,
    timestamp: new Date().toISOString(),
    operation,
    weirVersion: WEIR_VERSION,
    name: state.exists ? state.name : (options.name ?? path.basename(path.resolve(table))),
    schema,
    partitionBy,
    added,
    removed: [...remove],
    sources: { ...sources },
    ...(writer === undefined ? {} : { writer }),
  };
}

/**
 * Records files and source offsets in a table as its next commit: the one way anything becomes
 * visible to readers. The commit is created with an exclusive create of the next number; when a
 * concurrent writer wins that number, this re-reads the log, re-checks everything against the
 * new state (continuity, files to remove, schema) and tries the next number.
 *
 * A sink commit (with `sources`) is valid only when, for every source partition, `from` equals
 * where the table's last commit for that partition ended (`to`): that stops a zombie writer,
 * whose partitions moved to another writer, from adding rows twice. A replay of offsets already
 * committed is rejected with AlreadyCommittedError, which a sink treats as success.
 *
 * @param table the table directory (created by the first commit)
 * @param options what to add, remove and record
 * @returns the commit as written
 * @throws ContinuityError when the source offsets do not continue the table's (zombie, gap)
 * @throws AlreadyCommittedError when the table already holds these source offsets
 * @throws CommitConflictError when a file to remove is gone, or `maxAttempts` races were lost
 * @throws IncompatibleSchemaError (from @weir/avro) when the schema change breaks old files
 * @throws TableNotFoundError for a first commit without a schema
 * @example
 * ```ts
 * const written = await writeParquetFile(`${dir}/data/part-a.parquet`, schema, rows);
 * await commitFiles(dir, {
 *   schema,
 *   add: [{ path: 'data/part-a.parquet', rows: written.rows, bytes: written.bytes, stats: written.stats }],
 *   sources: { 'counts-outbox:0': { from: '0', to: '250' } },
 * });
 * ```
 */
export async function commitFiles(table: string, options: CommitFilesOptions): Promise<Commit> {
  return commitWithState(table, await loadState(table), options);
}

/**
 * {@link commitFiles} on a state the caller keeps (a long-lived writer), which it brings up to
 * date: replaying the whole log for every commit would cost O(commits) each time. Not public.
 */
export async function commitWithState(table: string, state: TableState, options: CommitFilesOptions): Promise<Commit> {
  const { maxAttempts = 100 } = options;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    await catchUp(table, state);
    const commit = prepare(table, state, options);
    if (await tryCreateCommit(table, commit)) {
      state.apply(commit);
      return commit;
    }
    // Lost the race for this number: another commit landed; re-read it and re-check.
  }
  throw new CommitConflictError(
    `Gave up committing to table ${table} after losing the race for a commit number ${maxAttempts} times`,
    { context: { file: table } },
  );
}
