import { WeirError, type WeirErrorContext } from '@weir/core';

/** Options every @weir/parquet error accepts, as `WeirError`'s. */
export interface TableErrorOptions {
  cause?: unknown;
  context?: WeirErrorContext;
}

/**
 * Root of the errors of Weir tables and Parquet files. Catch a subclass to handle one case; catch
 * this to handle every table problem. `context.file` names the table directory or file concerned.
 */
export class TableError extends WeirError {
  override name = 'TableError';
}

/** A directory that holds no table (no `_weir_log/` commit), or a version the log does not have. */
export class TableNotFoundError extends TableError {
  override name = 'TableNotFoundError';
}

/**
 * The commit log is unusable: a commit file that does not parse, names the wrong version, or a
 * gap in the numbering. Nothing Weir writes produces this; it means outside damage.
 */
export class CorruptTableError extends TableError {
  override name = 'CorruptTableError';
}

/**
 * A commit that kept losing the race for the next commit number (`attempts` tries), or one whose
 * plan no longer holds: a file it removes was removed by a concurrent commit (two compactions).
 */
export class CommitConflictError extends TableError {
  override name = 'CommitConflictError';
}

/**
 * A sink commit whose source offsets do not start where the table's last commit for those source
 * partitions ended: a gap, an overlap, or a writer that lost its partitions (a zombie). The
 * message names each source partition, the offsets asked for and the committed position.
 */
export class ContinuityError extends TableError {
  override name = 'ContinuityError';
}

/**
 * A sink commit whose source offsets the table already holds: a replay after a crash between the
 * commit and its acknowledgement. The data is in the table; a sink treats this as success.
 */
export class AlreadyCommittedError extends TableError {
  override name = 'AlreadyCommittedError';
  /** The version of the commit that holds these offsets. */
  readonly committedVersion: number;

  constructor(message: string, committedVersion: number, options: TableErrorOptions = {}) {
    super(message, options);
    this.committedVersion = committedVersion;
  }
}

/** A row whose value does not fit its column (wrong JS type, null in a non-nullable column, ...). */
export class InvalidRowError extends TableError {
  override name = 'InvalidRowError';
}

/** A compression codec this Node.js cannot write (ZSTD before Node 22.15, LZ4, LZO). */
export class UnsupportedCodecError extends TableError {
  override name = 'UnsupportedCodecError';
}

/** A scan filter or order that names an unknown column or compares it with an unusable value. */
export class InvalidQueryError extends TableError {
  override name = 'InvalidQueryError';
}

/** A committed data file that cannot be read: deleted (vacuumed), truncated or not Parquet. */
export class DataFileError extends TableError {
  override name = 'DataFileError';
}

/**
 * A Parquet file a source cannot read: empty, truncated, not Parquet (no `PAR1` magic), a corrupt
 * footer or a corrupt page. The message reads `bad Parquet file <path>: <what is wrong>`; a
 * source with `skipBadFiles` reports it and goes on with the next file.
 */
export class BadParquetFileError extends TableError {
  override name = 'BadParquetFileError';
  /** The file, as the source names it (relative to the listing's root). */
  readonly file: string;
  /** What is wrong with it, e.g. `truncated (no PAR1 magic at the end)`. */
  readonly reason: string;

  constructor(file: string, reason: string, options: TableErrorOptions = {}) {
    super(`bad Parquet file ${file}: ${reason}`, options);
    this.file = file;
    this.reason = reason;
  }
}

/**
 * A Parquet source whose files do not hold the columns declared for it: a column missing from a
 * file, or of another type. The message names the column and the file.
 */
export class SourceSchemaError extends TableError {
  override name = 'SourceSchemaError';
}
