import { resolve } from 'node:path';

/**
 * Task directories this process has open, as owner or reader.
 *
 * lmdb-js shares one native environment between every open of the same files in a process, so
 * two owners of one task would write through the same environment without knowing of each other,
 * and wiping a directory that a reader still has open would leave that reader on deleted files.
 * Both are refused; other processes are the runtime's business (one owner per task).
 */
const owners = new Set<string>();
const readers = new Map<string, number>();

/** Registers the owner of `dir`; false if it already has one in this process. */
export function claimOwner(dir: string): boolean {
  const key = resolve(dir);
  if (owners.has(key)) return false;
  owners.add(key);
  return true;
}

/** Releases an owner registered with {@link claimOwner}. */
export function releaseOwner(dir: string): void {
  owners.delete(resolve(dir));
}

/** Whether `dir` has an owner in this process. */
export function hasOwner(dir: string): boolean {
  return owners.has(resolve(dir));
}

/** Registers one more reader of `dir`. */
export function addReader(dir: string): void {
  const key = resolve(dir);
  readers.set(key, (readers.get(key) ?? 0) + 1);
}

/** Releases a reader registered with {@link addReader}. */
export function removeReader(dir: string): void {
  const key = resolve(dir);
  const count = (readers.get(key) ?? 0) - 1;
  if (count > 0) readers.set(key, count);
  else readers.delete(key);
}

/** Number of readers of `dir` open in this process. */
export function readerCount(dir: string): number {
  return readers.get(resolve(dir)) ?? 0;
}
