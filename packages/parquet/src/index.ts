/**
 * @weir/parquet: Weir tables. A table is a directory of Parquet files (`data/`) and a log of
 * numbered JSON commits (`_weir_log/`); only committed files are visible, commits are created
 * exclusively and sink commits must continue the source offsets of the last one, which makes
 * the table an exactly-once projection of a Kafka topic. docs/table-format.md specifies the
 * format; this package writes it (`TableWriter`, `commitFiles`, `writeParquetFile`), reads it
 * (`openTable`, `scan`, `watchTable`) and maintains it (`compactTable`, `vacuum`, `verifyTable`).
 *
 * @packageDocumentation
 */
export { type FileProblem, type TableCheck, verifyTable } from './check-table.js';
export { type ParquetCodec, supportedCodecs } from './codec.js';
export type {
  ColumnStatistics,
  Commit,
  DataFile,
  SourceOffsets,
  SourceRange,
  TableOperation,
  VersionedSchema,
} from './commit.js';
export { type CommitFilesOptions, commitFiles, type FileToAdd } from './commit-files.js';
export { type CompactionResult, type CompactOptions, compactTable, mergeRanges } from './compact-table.js';
export * from './errors.js';
export { and, type ColumnFilterBuilder, type ComparisonOp, col, type Filter, type FilterValue, or } from './filter.js';
export type { PartitionField, PartitionTransform } from './partitioning.js';
export { type HistoryEntry, type OpenTableOptions, openTable, Table } from './table.js';
export { type OrderBy, type ScanOptions, type ScanStats, TableScan, type TableRow } from './table-scan.js';
export { type TableWriterOptions, TableWriter, type WriteBatchOptions } from './table-writer.js';
export { cleanupTempFiles, type CleanupOptions, DEFAULT_RETENTION_MS, vacuum, type VacuumOptions, type VacuumResult } from './vacuum.js';
export { TABLE_FORMAT_VERSION, WEIR_VERSION } from './version.js';
export { type WatchOptions, type WatchTableOptions, watchCommits, watchTable } from './watch-table.js';
export {
  CREATED_BY,
  WEIR_METADATA_KEYS,
  type WriteParquetFileOptions,
  type WrittenFile,
  writeParquetFile,
} from './write-parquet-file.js';
export { defaultRow, type ParquetSinkOptions, parquetSink, type RollPolicy } from './parquet-sink.js';
export { type DerivedSinkSchema, deriveSinkSchema, windowedKeySerde } from './sink-schema.js';
// Adds `KStream.prototype.toParquet(dir, options)` (and its type) when the package is imported.
import './to-parquet.js';
export { checkSourceColumns } from './source/check-columns.js';
export {
  type ListParquetSourceOptions,
  listParquetSource,
  type ParquetReadPosition,
  type ParquetSourceFile,
  type ParquetSourceListing,
} from './source/list-source.js';
export { emptyReadStats, type ParquetReadStats } from './source/open-file.js';
export { type ParquetRowBatch, type ReadParquetRowsOptions, readParquetRows } from './source/read-rows.js';
// The Parquet source operator; importing it also adds `builder.parquetSource(location, options)`.
export { type ParquetSourceOptions, parquetRowSerde, parquetSource } from './source-operator/index.js';
