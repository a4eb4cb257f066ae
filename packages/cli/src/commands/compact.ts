import type { Command } from 'commander';
import { integerOption } from '../internal/options.js';
import { type CliIo, write } from '../internal/output.js';
import { openTableAt } from '../internal/table-path.js';

/** Options of `weir compact`. */
export interface CompactCommandOptions {
  targetFileBytes?: number;
  minFiles?: number;
  retentionMs?: number;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Runs `weir compact`: merges the table's small files (per partition) into larger ones in one
 * commit, then vacuums files removed by earlier compactions past the retention, and says what
 * it did.
 * @throws UsageError when `dir` holds no table
 */
export async function compact(dir: string, options: CompactCommandOptions, io: CliIo): Promise<void> {
  // Opened first for the path checks and the row count of the removed files.
  const before = await openTableAt(dir);
  const { compactTable } = await import('@weir/parquet');
  const rowsByPath = new Map(before.files().map((f) => [f.path, f.rows]));
  const result = await compactTable(dir, {
    ...(options.targetFileBytes === undefined ? {} : { targetFileBytes: options.targetFileBytes }),
    ...(options.minFiles === undefined ? {} : { minFiles: options.minFiles }),
    ...(options.retentionMs === undefined ? {} : { retentionMs: options.retentionMs }),
  });
  const lines: string[] = [];
  if (result.commit === undefined) {
    lines.push(`${dir}: nothing to compact (no partition has ${options.minFiles ?? 2} or more small files)`);
  } else {
    const rows = result.added.reduce((sum, f) => sum + f.rows, 0);
    const removedRows = result.removed.reduce((sum, p) => sum + (rowsByPath.get(p) ?? 0), 0);
    lines.push(
      `${dir}: compacted ${plural(result.removed.length, 'file')} (${plural(removedRows, 'row')}) into ${plural(result.added.length, 'file')} ` +
        `(${plural(rows, 'row')}) in version ${result.commit.version}`,
    );
    for (const file of result.added) lines.push(`  added    ${file.path} (${plural(file.rows, 'row')}, ${file.bytes} bytes)`);
    for (const file of result.removed) lines.push(`  removed  ${file}`);
    const vacuumed = new Set(result.vacuumed);
    if (result.removed.some((file) => !vacuumed.has(file))) {
      lines.push(`  removed files stay on disk for the retention period (${options.retentionMs ?? 3_600_000} ms), for readers of older versions`);
    }
  }
  lines.push(`  vacuumed ${plural(result.vacuumed.length, 'file')}${result.vacuumed.length > 0 ? `: ${result.vacuumed.join(', ')}` : ''}`);
  await write(io.stdout, `${lines.join('\n')}\n`);
}

/** Registers `weir compact <table>`. */
export function registerCompact(program: Command, io: CliIo): void {
  program
    .command('compact')
    .summary("merge a table's small files")
    .description(
      "Merges the small files of the Weir table in <table> into larger ones (per partition), in one commit: readers see " +
        'the same rows before and after. Safe while a sink writes. Removed files are deleted by a vacuum once older than the retention.',
    )
    .argument('<table>', 'the table directory')
    .option('--target-file-bytes <n>', 'merge files smaller than this into files of about this size (default: 134217728, 128 MiB)', integerOption(1))
    .option('--min-files <n>', 'merge a partition only when it has at least n small files (default: 2)', integerOption(2))
    .option('--retention-ms <n>', 'keep removed files this long for readers of older versions (default: 3600000, one hour)', integerOption(0))
    .action((dir: string, options: CompactCommandOptions) => compact(dir, options, io));
}
