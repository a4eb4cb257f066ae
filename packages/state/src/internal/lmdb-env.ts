import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Database, open, type RootDatabase } from 'lmdb';
import { checkDataFileHeader } from './lmdb-header.js';
import { META_DB_NAME, type MetaDb } from './meta.js';

/** A byte store's sub-database: binary keys (bytewise order) and raw binary values. */
export type StoreDb = Database<Uint8Array, Uint8Array>;

/** A task's LMDB environment. */
export type TaskEnv = RootDatabase<Uint8Array, Uint8Array>;

/** Settings of a task environment that the factory and the read-only view share. */
export interface EnvSettings {
  /** Initial map size in bytes; lmdb-js grows the map when a transaction needs more. */
  readonly mapSize: number | undefined;
  /** Sub-databases the environment can hold (stores plus the metadata database). */
  readonly maxDbs: number;
}

// Binary keys make LMDB compare keys with memcmp then length: the bytewise order of the seam.
const DB_OPTIONS = { keyEncoding: 'binary', encoding: 'binary' } as const;

/** The data file LMDB keeps in an environment directory. */
export function dataFile(dir: string): string {
  return join(dir, 'data.mdb');
}

/** Whether `dir` holds an LMDB data file. */
export function hasDataFile(dir: string): boolean {
  return existsSync(dataFile(dir));
}

/**
 * Opens the environment in `dir` (creating the files when missing, unless read-only).
 * @throws Error for a damaged data file header (checked first: lmdb-js would crash on it), or
 *   whatever lmdb throws for an unreadable environment
 */
export function openTaskEnv(dir: string, settings: EnvSettings, readOnly = false): TaskEnv {
  if (hasDataFile(dir)) {
    const problem = checkDataFileHeader(dataFile(dir));
    if (problem) throw new Error(`damaged data file header: ${problem}`);
  }
  return open<Uint8Array, Uint8Array>({
    path: dir,
    // A task id may contain a dot; lmdb-js would then take the path for a file name.
    noSubdir: false,
    maxDbs: settings.maxDbs,
    ...(settings.mapSize === undefined ? {} : { mapSize: settings.mapSize }),
    // lmdb-js enables overlapping sync by default: a commit returns before it is flushed, and
    // close() then waits for the flush asynchronously, so files could be wiped under a native
    // environment still open (lmdb-js finds environments by inode, and inodes are reused). A
    // commit durable on return, and a close that is done on return, are worth the flush.
    overlappingSync: false,
    readOnly,
    ...DB_OPTIONS,
  });
}

/** Opens (or creates, unless `create` is false) a store's sub-database. */
export function openStoreDb(env: TaskEnv, name: string, create = true): StoreDb | undefined {
  // `create: false` is honoured by lmdb-js but missing from its typings.
  const options = { name, ...DB_OPTIONS, ...(create ? {} : { create: false }) };
  return env.openDB<Uint8Array, Uint8Array>(options) ?? undefined;
}

/** Opens (or creates, unless `create` is false) the metadata sub-database. */
export function openMetaDb(env: TaskEnv, create = true): MetaDb | undefined {
  return openStoreDb(env, META_DB_NAME, create);
}
