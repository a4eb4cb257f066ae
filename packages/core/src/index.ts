export * from './errors.js';
export type { Serde, RecordHeaders } from './serde/serde.js';
export { Serdes } from './serde/serdes.js';
export type {
  BytesStore,
  StoreWrite,
  StoreRangeDelete,
  StoreCheckpoint,
  StateCommit,
  TaskStateBackend,
  StateBackendFactory,
} from './state/backend.js';
export * as StoreKeys from './state/key-encoding.js';
