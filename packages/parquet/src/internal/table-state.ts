import type { TableSchema } from '@weir/avro';
import type { Commit, DataFile, VersionedSchema } from '../commit.js';
import { TableNotFoundError } from '../errors.js';
import type { PartitionField } from '../partitioning.js';
import { readCommit } from './commit-log.js';

/** A committed file of a snapshot and the version that added it. */
export interface LiveFile extends DataFile {
  addedIn: number;
}

/** A file a commit removed (a compaction), kept until vacuum deletes it. */
export interface RemovedFile {
  path: string;
  removedIn: number;
  /** Epoch milliseconds of the removing commit. */
  removedAt: number;
}

/** Where the table's commits for one source partition ended. */
export interface SourcePosition {
  from: bigint;
  to: bigint;
  /** The commit that holds this range. */
  version: number;
}

/**
 * The result of replaying a table's commits 0..version in order (the replay rules of
 * docs/table-format.md): later commits add files, remove files, move source positions forward
 * and replace the table metadata (name, schema, partitioning).
 */
export class TableState {
  version = -1;
  name = '';
  schema: VersionedSchema = { version: 0, columns: [] };
  readonly schemas = new Map<number, TableSchema>();
  partitionBy: PartitionField[] = [];
  readonly files = new Map<string, LiveFile>();
  readonly removed = new Map<string, RemovedFile>();
  readonly sources = new Map<string, SourcePosition>();
  readonly commits: Commit[] = [];

  /** Applies the next commit. */
  apply(commit: Commit): void {
    for (const file of commit.removed) {
      this.files.delete(file);
      this.removed.set(file, { path: file, removedIn: commit.version, removedAt: Date.parse(commit.timestamp) });
    }
    for (const file of commit.added) {
      this.files.set(file.path, { ...file, addedIn: commit.version });
      this.removed.delete(file.path);
    }
    for (const [key, range] of Object.entries(commit.sources)) {
      this.sources.set(key, { from: BigInt(range.from), to: BigInt(range.to), version: commit.version });
    }
    this.schemas.set(commit.schema.version, commit.schema.columns);
    this.schema = commit.schema;
    this.name = commit.name;
    this.partitionBy = commit.partitionBy;
    this.version = commit.version;
    this.commits.push(commit);
  }

  /** True once a commit exists. */
  get exists(): boolean {
    return this.version >= 0;
  }
}

/**
 * Reads the commits after `state.version` into `state`, up to `upTo` (inclusive) or the last one.
 * Commits are read in order until a number is missing: nothing outside a commit is visible.
 */
export async function catchUp(table: string, state: TableState, upTo: number = Number.POSITIVE_INFINITY): Promise<TableState> {
  while (state.version < upTo) {
    const commit = await readCommit(table, state.version + 1);
    if (commit === undefined) break;
    state.apply(commit);
  }
  return state;
}

/**
 * Replays a table's log into a fresh state.
 * @throws TableNotFoundError when `version` is given and the log does not reach it
 */
export async function loadState(table: string, version?: number): Promise<TableState> {
  const state = await catchUp(table, new TableState(), version);
  if (version !== undefined && state.version !== version) {
    throw new TableNotFoundError(
      state.exists
        ? `Table ${table} has no version ${version}: its latest version is ${state.version}`
        : `No table at ${table}: ${version === 0 ? 'no commit' : `no version ${version}`}`,
      { context: { file: table } },
    );
  }
  return state;
}
