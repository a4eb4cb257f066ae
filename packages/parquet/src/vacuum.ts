import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DATA_DIR, LOG_DIR } from './internal/commit-log.js';
import { hasCode, isTempName, listFiles } from './internal/fs.js';
import { loadState } from './internal/table-state.js';

/** One hour: how long removed and stray files stay on disk by default. */
export const DEFAULT_RETENTION_MS = 3_600_000;

/** Options of {@link vacuum}. */
export interface VacuumOptions {
  /** Files removed by a commit at least this long ago, and stray files this old, are deleted. Default: one hour. */
  retentionMs?: number;
  /** List what would be deleted without deleting. Default: `false`. */
  dryRun?: boolean;
  /** The current time in epoch milliseconds (for tests). Default: `Date.now()`. */
  now?: number;
}

/** What {@link vacuum} deleted (or would delete), paths relative to the table. */
export interface VacuumResult {
  /** Files removed by commits (compaction). */
  removed: string[];
  /** Uncommitted `.parquet` files in `data/`: orphans of crashed or fenced writers. */
  orphans: string[];
  /** Temp files of writers that never finished. */
  temporary: string[];
}

async function remove(file: string): Promise<void> {
  try {
    await fs.rm(file);
  } catch (error) {
    if (!hasCode(error, 'ENOENT')) throw error;
  }
}

/**
 * Deletes what no current reader needs: files that a commit removed (compaction) more than
 * `retentionMs` ago, and uncommitted `.parquet` and temp files older than `retentionMs`. The
 * retention protects readers still reading an older snapshot and writers between writing a
 * file and committing it; time travel to a version whose files were vacuumed fails with a
 * DataFileError. Other foreign files are left alone (reported by {@link verifyTable}).
 *
 * @example
 * ```ts
 * const { removed } = await vacuum('/data/tables/counts', { retentionMs: 24 * 3_600_000 });
 * ```
 */
export async function vacuum(dir: string, options: VacuumOptions = {}): Promise<VacuumResult> {
  const { retentionMs = DEFAULT_RETENTION_MS, dryRun = false, now = Date.now() } = options;
  const state = await loadState(dir);
  const result: VacuumResult = { removed: [], orphans: [], temporary: [] };
  const cutoff = now - retentionMs;
  for (const file of await listFiles(path.join(dir, DATA_DIR))) {
    const relative = `${DATA_DIR}/${file.relative}`;
    if (state.files.has(relative)) continue;
    const removed = state.removed.get(relative);
    if (removed !== undefined) {
      if (removed.removedAt <= cutoff) result.removed.push(relative);
    } else if (file.mtimeMs <= cutoff) {
      if (isTempName(path.posix.basename(relative))) result.temporary.push(relative);
      else if (relative.endsWith('.parquet')) result.orphans.push(relative);
    }
  }
  result.temporary.push(...(await staleTempFiles(dir, [LOG_DIR], cutoff)));
  if (!dryRun) {
    for (const relative of [...result.removed, ...result.orphans, ...result.temporary]) await remove(path.join(dir, relative));
  }
  return result;
}

/** Options of {@link cleanupTempFiles}. */
export interface CleanupOptions {
  /** Only temp files at least this old: a younger one may belong to a running writer. Default: one hour. */
  olderThanMs?: number;
  /** List without deleting. Default: `false`. */
  dryRun?: boolean;
  /** The current time in epoch milliseconds. Default: `Date.now()`. */
  now?: number;
}

async function staleTempFiles(dir: string, roots: readonly string[], cutoff: number): Promise<string[]> {
  const out: string[] = [];
  for (const root of roots) {
    for (const file of await listFiles(path.join(dir, root))) {
      if (isTempName(path.posix.basename(file.relative)) && file.mtimeMs <= cutoff) out.push(`${root}/${file.relative}`);
    }
  }
  return out;
}

/**
 * Deletes the temp files (`.tmp-*`) that crashed writers left in `data/` and `_weir_log/`. Temp
 * files are never read, so this only frees space. Pass `olderThanMs: 0` only when no writer is
 * running on the table.
 *
 * @returns the deleted paths, relative to the table
 * @example
 * ```ts
 * await cleanupTempFiles(dir, { olderThanMs: 0 }); // at startup of the only writer
 * ```
 */
export async function cleanupTempFiles(dir: string, options: CleanupOptions = {}): Promise<string[]> {
  const { olderThanMs = DEFAULT_RETENTION_MS, dryRun = false, now = Date.now() } = options;
  const stale = await staleTempFiles(dir, [DATA_DIR, LOG_DIR], now - olderThanMs);
  if (!dryRun) for (const relative of stale) await remove(path.join(dir, relative));
  return stale;
}
