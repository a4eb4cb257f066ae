import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { CliError, ExitCode } from '../errors.js';
import { type CliIo, type RowFormat, write, writeRows } from '../internal/output.js';
import { checkDirectory } from '../internal/table-path.js';

/** Options of `weir tables`. */
export interface TablesOptions {
  format: RowFormat;
}

/** The commit log directory that makes a directory a Weir table (docs/table-format.md). */
const LOG_DIR = '_weir_log';

/**
 * Finds table directories under `root` (itself included): directories holding a `_weir_log/`.
 * A table's own subdirectories are not searched (its `data/` holds Parquet files, not tables),
 * nor are hidden directories and `node_modules`.
 */
export async function findTableDirs(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      // A directory we may not read is not ours to report on; the root was checked already.
      if (dir !== root && ['EACCES', 'EPERM', 'ENOENT'].includes((error as NodeJS.ErrnoException).code ?? '')) return;
      throw error;
    }
    if (entries.some((e) => e.isDirectory() && e.name === LOG_DIR)) {
      found.push(dir);
      return;
    }
    const subdirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules');
    for (const entry of subdirs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) await walk(path.join(dir, entry.name));
  };
  await walk(root);
  return found;
}

/**
 * Runs `weir tables`: lists the Weir tables under a directory with their name, path, latest
 * version, number of files and rows (from the commit log: no data file is read).
 * @throws UsageError when `dir` does not exist
 * @throws CliError (exit 1) after listing the others, when a table could not be read
 */
export async function listTables(dir: string, options: TablesOptions, io: CliIo): Promise<void> {
  await checkDirectory(dir, 'directory');
  const { openTable } = await import('@weir/parquet');
  const rows: Record<string, unknown>[] = [];
  const failed: string[] = [];
  for (const tableDir of await findTableDirs(dir)) {
    try {
      const table = await openTable(tableDir);
      rows.push({ name: table.name, path: tableDir, version: table.version, files: table.files().length, rows: await table.count() });
    } catch (error) {
      // A directory with an empty _weir_log is not (yet) a table; a damaged one is worth a line.
      if ((error as Error).name === 'TableNotFoundError') continue;
      failed.push(tableDir);
      await write(io.stderr, `weir: cannot read table ${tableDir}: ${(error as Error).message}\n`);
    }
  }
  await writeRows(io.stdout, ['name', 'path', 'version', 'files', 'rows'].map((name) => ({ name })), rows, options.format);
  if (failed.length > 0) throw new CliError(`${failed.length} of ${rows.length + failed.length} tables could not be read`, ExitCode.Failure);
}

/** Registers `weir tables <dir>`. */
export function registerTables(program: Command, io: CliIo): void {
  program
    .command('tables')
    .summary('list the Weir tables under a directory')
    .description(
      'Lists the Weir tables found under <dir> (searched recursively; a table is a directory with a _weir_log/): ' +
        'name, path, latest version, number of data files and rows.',
    )
    .argument('<dir>', 'the directory to search')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .action((dir: string, options: TablesOptions) => listTables(dir, options, io));
}
