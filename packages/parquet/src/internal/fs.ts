import { randomUUID } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';

/** A name that marks a file as unfinished: never read, removed by cleanup. */
export const TEMP_PREFIX = '.tmp-';

/** True when `name` is a temp file of a writer (finished files never start with this). */
export function isTempName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX);
}

/** A fresh temp name in `dir` with the given extension. */
export function tempPath(dir: string, extension: string): string {
  return path.join(dir, `${TEMP_PREFIX}${randomUUID()}${extension}`);
}

/** True when `error` is a Node.js system error with this `code`. */
export function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/**
 * Fsyncs a directory so that a rename or link in it survives a power loss (POSIX only makes the
 * entry durable once its directory is synced). Windows cannot open directories: skipped there.
 */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Creates `dir` and its missing parents, fsyncing each parent of a created directory: a file
 * fsynced inside a new directory is only durable once that directory's own entry is.
 */
export async function mkdirDurable(dir: string): Promise<void> {
  const first = await fs.mkdir(dir, { recursive: true });
  if (first === undefined) return;
  const parents: string[] = [];
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    parents.push(path.dirname(current));
    if (current === path.resolve(first) || current === path.dirname(current)) break;
  }
  for (const parent of parents) await fsyncDir(parent);
}

/** Writes `bytes` to a new file, fsyncs and closes it. */
export async function writeDurable(file: string, bytes: Uint8Array | string): Promise<void> {
  const handle = await fs.open(file, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Publishes `bytes` under `target` only if no file has that name: writes a temp file, fsyncs it,
 * then hard-links it to `target`. `link()` fails with EEXIST when the name is taken and is
 * atomic, so the name appears with its complete content or not at all: a reader never sees a
 * half-written file, and a crash leaves at worst a temp file, never a truncated `target`.
 * (`open(target, 'wx')` would also refuse a taken name, but a crash between open and fsync
 * would leave a truncated file that holds the name forever.)
 *
 * @returns true when `target` was created, false when it already existed
 */
export async function publishExclusive(target: string, bytes: Uint8Array | string): Promise<boolean> {
  const dir = path.dirname(target);
  const temp = tempPath(dir, path.extname(target));
  await writeDurable(temp, bytes);
  try {
    await fs.link(temp, target);
  } catch (error) {
    if (hasCode(error, 'EEXIST')) return false;
    throw error;
  } finally {
    await fs.rm(temp, { force: true });
  }
  await fsyncDir(dir);
  return true;
}

/** One file found by {@link listFiles}. */
export interface ListedFile {
  /** Path relative to the listed root, with `/` separators. */
  relative: string;
  absolute: string;
  size: number;
  mtimeMs: number;
}

/** Lists the regular files under `root`, recursively; an absent root lists nothing. */
export async function listFiles(root: string): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  async function walk(dir: string, prefix: string): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (hasCode(error, 'ENOENT')) return;
      throw error;
    }
    for (const entry of entries) {
      const absolute = path.join(dir, entry.name);
      const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        await walk(absolute, relative);
      } else if (entry.isFile()) {
        try {
          const stat = await fs.stat(absolute);
          out.push({ relative, absolute, size: stat.size, mtimeMs: stat.mtimeMs });
        } catch (error) {
          // Deleted between readdir and stat (a concurrent vacuum or rename): not there.
          if (!hasCode(error, 'ENOENT')) throw error;
        }
      }
    }
  }
  await walk(root, '');
  return out.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
}
