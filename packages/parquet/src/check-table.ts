import path from 'node:path';
import { TableNotFoundError } from './errors.js';
import { DATA_DIR, LOG_DIR } from './internal/commit-log.js';
import { isTempName, listFiles } from './internal/fs.js';
import { openParquet } from './internal/read-parquet.js';
import { loadState } from './internal/table-state.js';

/** A file {@link verifyTable} could not use. */
export interface FileProblem {
  /** Path relative to the table. */
  path: string;
  /** True for a committed file (readers will fail on it), false for a stray one. */
  committed: boolean;
  reason: string;
}

/** What {@link verifyTable} found. */
export interface TableCheck {
  /** The latest version, checked. */
  version: number;
  /** True when every committed file is present and readable with its committed size. */
  ok: boolean;
  /** Number of committed (live) files. */
  committedFiles: number;
  /** Committed files that are not on disk. */
  missing: string[];
  /** Committed files with the wrong size or a footer that does not parse; stray `.parquet` files that do not parse. */
  unreadable: FileProblem[];
  /** Files under `data/` that no live commit lists (foreign files, orphans of crashed or fenced writers). Readers ignore them. */
  uncommitted: string[];
  /** Unfinished temp files (`.tmp-*`) of writers, under `data/` and `_weir_log/`. */
  temporary: string[];
  /** Files removed by a commit (compaction) and still on disk, waiting for {@link vacuum}. */
  removed: string[];
}

async function parquetProblem(file: string): Promise<string | undefined> {
  try {
    const parquet = await openParquet(file);
    await parquet.close();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Checks a table directory against its latest commit: committed files present, of their
 * committed size, with a readable footer; and lists what lies around that no reader will see:
 * uncommitted files in `data/` (including foreign and truncated ones), temp files, and removed
 * files awaiting vacuum. Read-only.
 *
 * @throws TableNotFoundError when `dir` holds no table
 * @example
 * ```ts
 * const report = await verifyTable('/data/tables/counts');
 * if (!report.ok) console.error(report.missing, report.unreadable);
 * ```
 */
export async function verifyTable(dir: string): Promise<TableCheck> {
  const state = await loadState(dir);
  if (!state.exists) throw new TableNotFoundError(`No table at ${dir}: its _weir_log has no commit`, { context: { file: dir } });
  const onDisk = (await listFiles(path.join(dir, DATA_DIR))).map((file) => ({ ...file, relative: `${DATA_DIR}/${file.relative}` }));
  const byPath = new Map(onDisk.map((file) => [file.relative, file]));
  const report: TableCheck = {
    version: state.version,
    ok: true,
    committedFiles: state.files.size,
    missing: [],
    unreadable: [],
    uncommitted: [],
    temporary: (await listFiles(path.join(dir, LOG_DIR))).filter((f) => isTempName(f.relative)).map((f) => `${LOG_DIR}/${f.relative}`),
    removed: [],
  };
  for (const file of state.files.values()) {
    const found = byPath.get(file.path);
    if (found === undefined) {
      report.missing.push(file.path);
      continue;
    }
    const reason =
      found.size !== file.bytes ? `size ${found.size} bytes, committed as ${file.bytes}` : await parquetProblem(found.absolute);
    if (reason !== undefined) report.unreadable.push({ path: file.path, committed: true, reason });
  }
  for (const file of onDisk) {
    if (state.files.has(file.relative)) continue;
    if (isTempName(path.posix.basename(file.relative))) report.temporary.push(file.relative);
    else if (state.removed.has(file.relative)) report.removed.push(file.relative);
    else {
      report.uncommitted.push(file.relative);
      if (file.relative.endsWith('.parquet')) {
        const reason = await parquetProblem(file.absolute);
        if (reason !== undefined) report.unreadable.push({ path: file.relative, committed: false, reason });
      }
    }
  }
  report.ok = report.missing.length === 0 && !report.unreadable.some((problem) => problem.committed);
  return report;
}
