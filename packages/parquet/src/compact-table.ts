import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ParquetCodec } from './codec.js';
import type { Commit, DataFile, SourceRange } from './commit.js';
import { commitWithState, type FileToAdd } from './commit-files.js';
import { CommitConflictError, TableNotFoundError } from './errors.js';
import { DATA_DIR } from './internal/commit-log.js';
import { compactedFileBase } from './internal/file-names.js';
import { emptyScanStats, scanFiles } from './internal/scan-files.js';
import { catchUp, type LiveFile, loadState, type TableState } from './internal/table-state.js';
import { partitionDir } from './partitioning.js';
import { DEFAULT_RETENTION_MS, vacuum } from './vacuum.js';
import { writeParquetFile } from './write-parquet-file.js';

/** Options of {@link compactTable}. */
export interface CompactOptions {
  /** Files smaller than this are merged, into files of about this size. Default: 128 MiB. */
  targetFileBytes?: number;
  /** A merge needs at least this many files (per partition). Default: `2`. */
  minFiles?: number;
  /** Files the compaction removes stay on disk this long for readers of older snapshots; a vacuum with it runs afterwards. Default: one hour. */
  retentionMs?: number;
  /** Codec of the new files. Default: `'SNAPPY'`. */
  codec?: ParquetCodec;
  /** Rows per row group of the new files. Default: `100_000`. */
  rowGroupSize?: number;
  /** Dictionary-encoded columns of the new files. Default: `[]`. */
  keyColumns?: readonly string[];
  /** Plans to retry when a concurrent compaction removed a planned file. Default: `5`. */
  maxAttempts?: number;
}

/** What {@link compactTable} did. */
export interface CompactionResult {
  /** The compaction commit, or undefined when there was nothing to merge. */
  commit?: Commit;
  /** Files removed from the table (deleted from disk by a vacuum after the retention). */
  removed: string[];
  /** The merged files added. */
  added: DataFile[];
  /** Files the vacuum after the compaction deleted (removed by earlier compactions). */
  vacuumed: string[];
}

/**
 * The union of the source ranges of files, merged where they touch: what a compacted file covers.
 * @example
 * ```ts
 * mergeRanges(files); // { 'outbox:0': [{ from: '0', to: '250' }] } for files of 0..100 and 100..250
 * ```
 */
export function mergeRanges(files: readonly DataFile[]): Record<string, SourceRange[]> {
  const byKey = new Map<string, SourceRange[]>();
  for (const file of files) {
    for (const [key, ranges] of Object.entries(file.sources)) byKey.set(key, [...(byKey.get(key) ?? []), ...ranges]);
  }
  const out: Record<string, SourceRange[]> = {};
  for (const [key, ranges] of [...byKey].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sorted = ranges.map((r) => ({ from: BigInt(r.from), to: BigInt(r.to) })).sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
    const merged: { from: bigint; to: bigint }[] = [];
    for (const range of sorted) {
      const last = merged.at(-1);
      if (last !== undefined && range.from <= last.to) last.to = range.to > last.to ? range.to : last.to;
      else merged.push({ ...range });
    }
    out[key] = merged.map((r) => ({ from: r.from.toString(), to: r.to.toString() }));
  }
  return out;
}

/** Groups of small files to merge: per partition, in commit order, packed up to the target size. */
function plan(state: TableState, targetFileBytes: number, minFiles: number): LiveFile[][] {
  const byPartition = new Map<string, LiveFile[]>();
  const files = [...state.files.values()].sort((a, b) => a.addedIn - b.addedIn || (a.path < b.path ? -1 : 1));
  for (const file of files) {
    if (file.bytes >= targetFileBytes) continue;
    const key = JSON.stringify(file.partition);
    byPartition.set(key, [...(byPartition.get(key) ?? []), file]);
  }
  const groups: LiveFile[][] = [];
  for (const candidates of byPartition.values()) {
    let group: LiveFile[] = [];
    let bytes = 0;
    for (const file of candidates) {
      group.push(file);
      bytes += file.bytes;
      if (bytes >= targetFileBytes) {
        groups.push(group);
        group = [];
        bytes = 0;
      }
    }
    groups.push(group);
  }
  return groups.filter((group) => group.length >= minFiles);
}

async function merge(table: string, state: TableState, group: LiveFile[], options: CompactOptions): Promise<FileToAdd> {
  const { codec, rowGroupSize, keyColumns = [] } = options;
  const schema = state.schema.columns;
  const partition = group[0]!.partition;
  const rows = scanFiles({ table, schema, schemas: state.schemas, files: group, columns: schema.map((c) => c.name) }, emptyScanStats());
  const relative = path.posix.join(DATA_DIR, partitionDir(state.partitionBy, partition), `${compactedFileBase()}.parquet`);
  const sources = mergeRanges(group);
  const written = await writeParquetFile(path.join(table, relative), schema, rows, {
    keyColumns,
    ...(codec === undefined ? {} : { codec }),
    ...(rowGroupSize === undefined ? {} : { rowGroupSize }),
    table: { name: state.name, path: path.resolve(table) },
    sources,
    ...(state.partitionBy.length === 0 ? {} : { partition }),
  });
  return {
    path: relative,
    rows: written.rows,
    bytes: written.bytes,
    stats: written.stats,
    partition,
    sources,
    schemaVersion: state.schema.version,
  };
}

/**
 * Merges a table's small files into larger ones, in one commit that removes the old files and
 * adds the new: readers see the same rows before and after. Each merged file records the union
 * of its inputs' source offsets; the commit itself covers no new offsets, so sink continuity is
 * untouched.
 *
 * Safe while a writer appends: the commit races for its number like any other and retries on a
 * lost race (appends never conflict with it). A concurrent compaction that removed a planned
 * file makes this one re-plan from the new state (its unused outputs are deleted). Safe while
 * readers read: the removed files stay on disk for `retentionMs`; the {@link vacuum} this runs
 * at the end deletes only files removed longer ago.
 *
 * @throws TableNotFoundError when `dir` holds no table
 * @throws CommitConflictError after `maxAttempts` plans all lost to concurrent compactions
 * @example
 * ```ts
 * const { removed, added } = await compactTable('/data/tables/counts', { targetFileBytes: 64 << 20 });
 * ```
 */
export async function compactTable(dir: string, options: CompactOptions = {}): Promise<CompactionResult> {
  const { targetFileBytes = 128 * 1024 * 1024, minFiles = 2, retentionMs = DEFAULT_RETENTION_MS, maxAttempts = 5 } = options;
  const state = await loadState(dir);
  if (!state.exists) throw new TableNotFoundError(`No table at ${dir}: its _weir_log has no commit`, { context: { file: dir } });
  for (let attempt = 1; ; attempt++) {
    await catchUp(dir, state);
    const groups = plan(state, targetFileBytes, Math.max(2, minFiles));
    if (groups.length === 0) {
      const vacuumed = await vacuum(dir, { retentionMs });
      return { removed: [], added: [], vacuumed: vacuumed.removed };
    }
    const added: FileToAdd[] = [];
    const removed = groups.flat().map((file) => file.path);
    let commit: Commit;
    try {
      for (const group of groups) added.push(await merge(dir, state, group, options));
      commit = await commitWithState(dir, state, { operation: 'compact', add: added, remove: removed });
    } catch (error) {
      // Not committed, and our outputs have unique names nobody else knows: deleting them is safe.
      for (const file of added) await fs.rm(path.join(dir, file.path), { force: true });
      if (!(error instanceof CommitConflictError) || attempt >= maxAttempts) throw error;
      continue;
    }
    const vacuumed = await vacuum(dir, { retentionMs });
    return { commit, removed, added: commit.added, vacuumed: vacuumed.removed };
  }
}
