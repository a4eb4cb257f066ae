import type { StoreCheckpoint } from '@weir/core';
import type { Database, Transaction } from 'lmdb';

/**
 * The `__weir_meta` sub-database: what a task's state directory holds besides the stores.
 *
 * - `format`: the on-disk layout version ({@link STATE_FORMAT_VERSION}); another value means the
 *   bytes cannot be read by this code.
 * - `fingerprint`: the topology version that wrote the state; another topology may give the same
 *   store name another meaning, so its state is never reused.
 * - `task`: the task id, so that a directory copied or renamed to another task is not trusted.
 * - `checkpoint:<store>`: the next changelog offset the store's data reflects, written in the same
 *   transaction as the data.
 *
 * The three identity entries are written in one transaction when the directory is created, so a
 * directory without them was never finished and is discarded.
 */

/** Name of the metadata sub-database; store names may not start with `__weir_`. */
export const META_DB_NAME = '__weir_meta';

/** Store names reserved for Weir's own sub-databases. */
export const RESERVED_STORE_PREFIX = '__weir_';

/**
 * Version of the on-disk layout. Version 1: one sub-database per store, binary keys behind a 0x00
 * prefix byte (see stored-keys.ts), raw binary values, checkpoint entries as decimal strings.
 */
export const STATE_FORMAT_VERSION = '1';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

const FORMAT_KEY = encodeText('format');
const FINGERPRINT_KEY = encodeText('fingerprint');
const TASK_KEY = encodeText('task');
const CHECKPOINT_PREFIX = 'checkpoint:';
// ';' is the byte after ':', so [CHECKPOINT_PREFIX, CHECKPOINT_END) holds exactly the checkpoint entries.
const CHECKPOINT_START = encodeText(CHECKPOINT_PREFIX);
const CHECKPOINT_END = encodeText('checkpoint;');

/** The metadata sub-database: binary keys and values, like the stores. */
export type MetaDb = Database<Uint8Array, Uint8Array>;

/** The identity a state directory records. */
export interface StateIdentity {
  readonly format: string | undefined;
  readonly fingerprint: string | undefined;
  readonly task: string | undefined;
}

/** Reads the identity entries (undefined where missing). */
export function readIdentity(meta: MetaDb): StateIdentity {
  return {
    format: readText(meta, FORMAT_KEY),
    fingerprint: readText(meta, FINGERPRINT_KEY),
    task: readText(meta, TASK_KEY),
  };
}

/** Writes the identity entries; call inside a write transaction. */
export function writeIdentity(meta: MetaDb, taskId: string, fingerprint: string): void {
  meta.put(FORMAT_KEY, encodeText(STATE_FORMAT_VERSION));
  meta.put(FINGERPRINT_KEY, encodeText(fingerprint));
  meta.put(TASK_KEY, encodeText(taskId));
}

/** Reads every checkpoint entry (in the caller's read transaction, if any). */
export function readCheckpoint(meta: MetaDb, transaction?: Transaction): StoreCheckpoint {
  const checkpoint: StoreCheckpoint = {};
  const range = meta.getRange({
    start: CHECKPOINT_START,
    end: CHECKPOINT_END,
    ...(transaction === undefined ? {} : { transaction }),
  });
  for (const { key, value } of range) {
    checkpoint[decodeText(key).slice(CHECKPOINT_PREFIX.length)] = decodeText(value);
  }
  return checkpoint;
}

/** Writes one checkpoint entry; call inside a write transaction. */
export function writeCheckpointEntry(meta: MetaDb, store: string, offset: string): void {
  meta.put(encodeText(CHECKPOINT_PREFIX + store), encodeText(offset));
}

function readText(meta: MetaDb, key: Uint8Array): string | undefined {
  const value = meta.get(key);
  return value === undefined ? undefined : decodeText(value);
}

function encodeText(text: string): Uint8Array {
  return textEncoder.encode(text);
}

function decodeText(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}
