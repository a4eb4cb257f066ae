import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Commit } from '../commit.js';
import { CorruptTableError } from '../errors.js';
import { hasCode, mkdirDurable, publishExclusive } from './fs.js';

/** The directory of a table's commits. */
export const LOG_DIR = '_weir_log';
/** The directory of a table's data files. */
export const DATA_DIR = 'data';

/** The file name of commit `version`: the number padded to 20 digits, so names sort as numbers. */
export function commitFileName(version: number): string {
  return `${String(version).padStart(20, '0')}.json`;
}

/**
 * Reads commit `version`.
 * @returns the commit, or undefined when it does not exist
 * @throws CorruptTableError when it does not parse or names another version
 */
export async function readCommit(table: string, version: number): Promise<Commit | undefined> {
  const file = path.join(table, LOG_DIR, commitFileName(version));
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  let commit: Commit;
  try {
    commit = JSON.parse(text) as Commit;
  } catch (cause) {
    throw new CorruptTableError(`Commit ${file} is not valid JSON`, { cause, context: { file } });
  }
  if (typeof commit !== 'object' || commit === null || commit.version !== version || !Array.isArray(commit.added)) {
    throw new CorruptTableError(`Commit ${file} does not hold commit ${version}`, { context: { file } });
  }
  return commit;
}

/**
 * Creates commit `commit.version` unless that number is taken (see {@link publishExclusive}: a
 * temp file hard-linked to the final name, so the commit appears complete or not at all).
 * @returns false when another writer holds the number: re-read the log and retry
 */
export async function tryCreateCommit(table: string, commit: Commit): Promise<boolean> {
  const dir = path.join(table, LOG_DIR);
  await mkdirDurable(dir);
  return publishExclusive(path.join(dir, commitFileName(commit.version)), `${JSON.stringify(commit, null, 2)}\n`);
}
