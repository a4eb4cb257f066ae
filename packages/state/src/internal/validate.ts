import { StateStoreError } from '@weir/core';
import { RESERVED_STORE_PREFIX } from './meta.js';

// A Kafka offset: a non-negative decimal integer, kept as a string so 64-bit values survive.
const OFFSET = /^(0|[1-9][0-9]*)$/;

/** Rejects store names that are empty or collide with Weir's own sub-databases. */
export function checkStoreName(name: string, task: string): void {
  if (name.length === 0 || name.startsWith(RESERVED_STORE_PREFIX)) {
    throw new StateStoreError(
      `invalid store name '${name}' in task ${task}: names must be non-empty and not start with '${RESERVED_STORE_PREFIX}'`,
      { context: { task, store: name } },
    );
  }
}

/** Rejects checkpoint offsets that are not decimal Kafka offsets (a bug upstream, caught before it is made durable). */
export function checkOffset(offset: string, store: string, task: string): void {
  if (!OFFSET.test(offset)) {
    throw new StateStoreError(
      `invalid checkpoint offset '${offset}' for store ${store} in task ${task}: expected a non-negative decimal integer`,
      { context: { task, store, offset } },
    );
  }
}

/** Rejects task ids that would escape the state directory or be unusable as a directory name. */
export function checkTaskId(taskId: string): void {
  if (taskId.length === 0 || taskId === '.' || taskId === '..' || /[/\\\0]/.test(taskId)) {
    throw new StateStoreError(`invalid task id '${taskId}': it names a directory under the state directory`, {
      context: { task: taskId },
    });
  }
}
