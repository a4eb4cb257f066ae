/** The Parquet source operator: Parquet files as an exactly-once stream source and backfill. */
export { type ParquetSourceOptions, parquetSource } from './streams-builder-extension.js';
export { parquetRowSerde } from './row-serde.js';
