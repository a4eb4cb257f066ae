import { promises as fs } from 'node:fs';
import type { Table } from '@weir/parquet';
import { UsageError } from '../errors.js';

/**
 * Checks that `dir` is a directory, so a mistyped path gets its own message instead of a
 * table-format one.
 * @throws UsageError naming the path when it does not exist or is not a directory
 */
export async function checkDirectory(dir: string, what = 'table directory'): Promise<void> {
  let stat: Awaited<ReturnType<typeof fs.stat>>;
  try {
    stat = await fs.stat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`no such ${what}: ${dir}`);
    throw error;
  }
  if (!stat.isDirectory()) throw new UsageError(`${dir} is not a directory`);
}

/**
 * Opens the table in `dir` (at `version` when given) for a command.
 * @throws UsageError when `dir` does not exist, holds no table, or has no such version
 * @throws CorruptTableError when the commit log is damaged (a runtime failure)
 */
export async function openTableAt(dir: string, version?: number): Promise<Table> {
  await checkDirectory(dir);
  const { openTable, TableNotFoundError } = await import('@weir/parquet');
  try {
    return await openTable(dir, version === undefined ? {} : { version });
  } catch (error) {
    // "No table at <dir>: its _weir_log has no commit" / "Table <dir> has no version 3: ...":
    // @weir/parquet's messages already name the path and the version.
    if (error instanceof TableNotFoundError) throw new UsageError(error.message.replace(/^[A-Z]/, (c) => c.toLowerCase()), { cause: error });
    throw error;
  }
}
