import path from 'node:path';
import type { ParquetReadPosition, ParquetRowBatch } from '@weir/parquet';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Admin, Kafka, Message, Producer, Transaction } from 'kafkajs';
import { CliError, ExitCode, UsageError } from '../errors.js';
import {
  DEFAULT_POSITION_TOPIC,
  ensurePositionTopic,
  type ImportPosition,
  importTransactionalId,
  positionKey,
  readPosition,
} from '../internal/import-position.js';
import { type ImportFormat, recordEncoder } from '../internal/import-records.js';
import { describePosition, importColumns, listSource, readSchemaFile, rowsFrom } from '../internal/import-source.js';
import { integerOption, listOption, splitList } from '../internal/options.js';
import { type CliIo, write } from '../internal/output.js';
import { createProgress } from '../internal/progress.js';

/** Options of `weir import`, as commander parses them. */
export interface ImportOptions {
  topic: string;
  key?: string[];
  timestamp?: string;
  format: ImportFormat;
  schema?: string;
  columns?: string[];
  skipBadFiles?: boolean;
  brokers?: string[];
  version?: number;
  partitions?: number;
  transactionRows: number;
  transactionBytes: number;
  positionTopic: string;
  progress: boolean;
}

/** What one `weir import` run did: the figures of its summary line. */
export interface ImportSummary {
  /** Files read from in this run. */
  files: number;
  /** Rows produced (and committed) in this run. */
  rows: number;
  /** Bytes of column data read from the files. */
  bytesRead: number;
  /** Bytes of record keys and values produced. */
  bytesProduced: number;
  /** Wall-clock seconds of the run. */
  seconds: number;
  /** Transactions committed. */
  transactions: number;
  /** Files left out as bad (`--skip-bad-files`). */
  skippedFiles: number;
}

// Each send of a transaction stays far below the broker's 1 MB message limit: kafkajs puts all of
// one send's messages for a partition into one record batch. The count bound keeps kafkajs's
// per-send grouping of messages by partition cheap: it copies the partition's array for every
// message (quadratic); at 2,000 messages per send, grouping plus garbage collection took 30% of
// the CPU time of an import (profiled).
const SEND_BYTES = 512 * 1024;
const SEND_MESSAGES = 1_000;
// Key, value, timestamp, offset delta and attributes of a record, beyond key and value.
const RECORD_OVERHEAD = 24;
// A transaction is committed after this long even when smaller than its row and byte bounds, well
// within the producer's 60 s transaction timeout (after which the broker would abort it).
const TRANSACTION_MAX_MS = 10_000;

/** The position after the first `k` rows of a batch. */
function positionAfter(batch: ParquetRowBatch, k: number): ParquetReadPosition {
  return k === batch.rows.length ? batch.next : { file: batch.file, rowGroup: batch.rowGroup, row: batch.firstRow + k };
}


/** The source's identity in positions and transactional ids: the absolute location. */
function sourceIdentity(location: string): string {
  return path.resolve(location);
}

function brokerList(options: ImportOptions): string[] {
  const env = process.env.WEIR_BROKERS;
  return options.brokers ?? (env === undefined || env.trim() === '' ? ['127.0.0.1:9092'] : splitList(env));
}


async function ensureTopic(admin: Admin, topic: string, partitions: number | undefined): Promise<void> {
  if ((await admin.listTopics()).includes(topic)) return;
  if (partitions === undefined) {
    throw new CliError(`topic "${topic}" does not exist: create it, or pass --partitions <n> to have weir import create it`, ExitCode.Failure);
  }
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
}

/**
 * Runs `weir import`: loads the rows of Parquet files (a file, a directory, a glob, or a Weir
 * table snapshot) into a Kafka topic exactly once.
 *
 * Every transaction of the import's transactional producer (one transactional id per topic and
 * source, so a rerun fences a killed run) carries a batch of records and the position after them,
 * written to the compacted position topic under the key (topic, source). A rerun reads the last
 * committed position `read_committed` and resumes there: a killed run's open transaction is
 * aborted by the fencing, so its records never become visible and its rows are produced again.
 *
 * @returns the run's figures
 * @throws UsageError for a wrong path, an unknown column or a bad option (exit 2)
 * @throws CliError for a bad file (without `--skip-bad-files`), a missing topic, a broker failure (exit 1)
 */
export async function importParquet(location: string, options: ImportOptions, io: CliIo): Promise<ImportSummary> {
  const started = Date.now();
  const avroSchema = options.schema === undefined ? undefined : await readSchemaFile(options.schema);
  if (avroSchema !== undefined && options.format !== 'avro') throw new UsageError('--schema applies to --format avro only');
  const skipped: string[] = [];
  let listing = await listSource(location, options, options.version, io, skipped);
  if (listing.files.length === 0) throw new UsageError(`no Parquet files at ${location}`);
  const columns = await importColumns(listing, options, avroSchema, io);
  const { encode } = recordEncoder({
    columns: columns.read,
    valueColumns: columns.value.map((c) => c.name),
    ...(options.key === undefined ? {} : { keyColumns: options.key }),
    ...(options.timestamp === undefined ? {} : { timestampColumn: options.timestamp }),
    format: options.format,
    ...(avroSchema === undefined ? {} : { avroSchema }),
    topic: options.topic,
  });

  const { Kafka, logLevel } = await import('kafkajs');
  const { readParquetRows, emptyReadStats } = await import('@weir/parquet');
  const brokers = brokerList(options);
  const kafka: Kafka = new Kafka({ clientId: 'weir-import', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const source = sourceIdentity(location);
  const key = positionKey(options.topic, source);
  let producer: Producer | undefined;
  let transaction: Transaction | undefined;
  let stopRequested = false;
  const onSignal = () => {
    // A second signal does not wait for the transaction in flight.
    if (stopRequested) process.exit(130);
    stopRequested = true;
    io.stderr.write('\nweir import: stopping after the current transaction (again to abort it)\n');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    try {
      await admin.connect();
      await ensureTopic(admin, options.topic, options.partitions);
      await ensurePositionTopic(admin, options.positionTopic);
      producer = kafka.producer({
        transactionalId: importTransactionalId(options.topic, source),
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: 60_000,
      });
      await producer.connect();
      // kafkajs initializes the producer id lazily: force it now, before reading the position,
      // so that an earlier run's open transaction is aborted and the position read is final.
      const fence = await producer.transaction();
      await fence.abort();
    } catch (error) {
      if (error instanceof CliError) throw error;
      const err = error as Error;
      // kafkajs reports an unreachable cluster in several ways; all mean the same to a user.
      const unreachable = /KafkaJSConnectionError|Connection (error|timeout)|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|Failed to connect/i.test(
        `${err.name} ${err.message} ${(err.cause as Error | undefined)?.message ?? ''}`,
      );
      const message = unreachable ? `cannot reach Kafka brokers ${brokers.join(', ')}: ${err.message}` : `Kafka brokers ${brokers.join(', ')}: ${err.message}`;
      throw new CliError(message, ExitCode.Failure, { cause: error });
    }
    const saved: ImportPosition | undefined = await readPosition(kafka, admin, options.positionTopic, key);
    if (saved?.version !== undefined && options.version !== undefined && saved.version !== options.version) {
      await write(io.stderr, `weir import: --version ${options.version} ignored: this import started on version ${saved.version} and goes on with it\n`);
    }
    if (saved?.version !== undefined && saved.version !== listing.table?.version) {
      // A table import keeps reading the snapshot it started on: later commits may have
      // compacted its files away.
      listing = await listSource(location, options, saved.version, io, []);
    }
    const from = saved?.position;
    const rowsBefore = saved?.rows ?? 0;
    const total = rowsFrom(listing, from);
    if (saved !== undefined) {
      await write(io.stderr, `weir import: resuming at ${describePosition(saved.position)} (${rowsBefore} rows imported before, ${total} to go)\n`);
    } else {
      await write(io.stderr, `weir import: ${total} rows in ${listing.files.length} ${listing.files.length === 1 ? 'file' : 'files'} to import into topic ${options.topic}\n`);
    }

    const stats = emptyReadStats();
    const progress = createProgress(io.stderr, total, { enabled: options.progress });
    let rows = 0;
    let bytesProduced = 0;
    let transactions = 0;
    let chunk: Message[] = [];
    let chunkBytes = 0;
    let txRows = 0;
    let txBytes = 0;
    let txPayload = 0;
    let txStarted = 0;
    let position: ParquetReadPosition | undefined = from;
    const p = producer;
    const flushChunk = async () => {
      if (chunk.length === 0) return;
      if (transaction === undefined) {
        transaction = await p.transaction();
        txStarted = Date.now();
      }
      await transaction.send({ topic: options.topic, acks: -1, messages: chunk });
      chunk = [];
      chunkBytes = 0;
      // Rows sent, committed or about to be: what the user waits for.
      progress.update(rows + txRows);
    };
    const commit = async () => {
      await flushChunk();
      if (transaction === undefined || position === undefined) return;
      const record: ImportPosition = {
        v: 1,
        topic: options.topic,
        source,
        ...(listing.table === undefined ? {} : { version: listing.table.version }),
        position,
        rows: rowsBefore + rows + txRows,
        at: new Date().toISOString(),
      };
      // The position rides in the same transaction as the records it covers.
      await transaction.send({ topic: options.positionTopic, acks: -1, messages: [{ key, value: JSON.stringify(record) }] });
      await transaction.commit();
      transaction = undefined;
      transactions++;
      rows += txRows;
      bytesProduced += txPayload;
      txPayload = 0;
      txRows = 0;
      txBytes = 0;
    };

    const batches = readParquetRows(listing, {
      columns: columns.read.map((c) => c.name),
      ...(from === undefined ? {} : { from }),
      skipBadFiles: options.skipBadFiles === true,
      onBadFile: (error) => {
        skipped.push(error.file);
        io.stderr.write(`weir import: skipping the rest of ${error.message}\n`);
      },
      stats,
    });
    try {
      for await (const batch of batches) {
        for (let i = 0; i < batch.rows.length; i++) {
          let parts: ReturnType<typeof encode>;
          try {
            parts = encode(batch.rows[i]!);
          } catch (error) {
            throw new CliError(
              `cannot import row ${batch.firstRow + i} of row group ${batch.rowGroup} of ${batch.file}: ${(error as Error).message}`,
              ExitCode.Failure,
              { cause: error },
            );
          }
          const payload = parts.value.length + (parts.key === null ? 0 : Buffer.byteLength(parts.key));
          chunk.push(parts as Message);
          chunkBytes += payload + RECORD_OVERHEAD;
          txRows++;
          txBytes += payload + RECORD_OVERHEAD;
          txPayload += payload;
          if (chunkBytes >= SEND_BYTES || chunk.length >= SEND_MESSAGES) await flushChunk();
          if (
            txRows >= options.transactionRows ||
            txBytes >= options.transactionBytes ||
            (transaction !== undefined && Date.now() - txStarted >= TRANSACTION_MAX_MS)
          ) {
            position = positionAfter(batch, i + 1);
            await commit();
            if (stopRequested) break;
          }
        }
        if (stopRequested) break;
        position = batch.next;
      }
      if (!stopRequested || txRows > 0) await commit();
    } catch (error) {
      if (error instanceof CliError) throw error;
      const { BadParquetFileError: BadFile } = await import('@weir/parquet');
      if (error instanceof BadFile) throw new CliError(`${error.message} (--skip-bad-files to skip it)`, ExitCode.Failure, { cause: error });
      throw new CliError(`import into topic "${options.topic}" failed: ${(error as Error).message}`, ExitCode.Failure, { cause: error });
    } finally {
      progress.finish();
    }
    const summary: ImportSummary = {
      files: stats.files,
      rows,
      bytesRead: stats.bytesRead,
      bytesProduced,
      seconds: (Date.now() - started) / 1000,
      transactions,
      skippedFiles: new Set(skipped).size,
    };
    if (stopRequested) {
      throw new CliError(
        `interrupted after ${rows} rows (${rowsBefore + rows} in all) at ${position === undefined ? 'the start' : describePosition(position)}; rerun the same command to resume`,
        ExitCode.Failure,
      );
    }
    return summary;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // An open transaction is one whose commit did not happen: abort it rather than leave it to
    // the transaction timeout (a SIGKILL leaves it to the next run's fencing).
    await transaction?.abort().catch(() => {});
    await producer?.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

/** The summary line: `weir import: 3 files, 42000 rows, 1234567 bytes read, 2345678 bytes produced, 1.52 s (27632 rows/s) into topic clicks`. */
export function summaryLine(summary: ImportSummary, topic: string): string {
  const rate = summary.seconds > 0 ? Math.round(summary.rows / summary.seconds) : summary.rows;
  const skipped = summary.skippedFiles === 0 ? '' : `, ${summary.skippedFiles} bad ${summary.skippedFiles === 1 ? 'file' : 'files'} skipped`;
  return `weir import: ${summary.files} ${summary.files === 1 ? 'file' : 'files'}, ${summary.rows} rows, ${summary.bytesRead} bytes read, ${summary.bytesProduced} bytes produced, ${summary.seconds.toFixed(2)} s (${rate} rows/s) into topic ${topic}${skipped}\n`;
}

function byteSize(value: string): number {
  const match = /^(\d+)\s*([kmg]?)i?b?$/i.exec(value.trim());
  if (match === null) throw new InvalidArgumentError('Expected a size such as 4194304, 512k or 8m.');
  const n = Number(match[1]) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('Expected a positive size.');
  return n;
}

/** Registers `weir import <source>`. */
export function registerImport(program: Command, io: CliIo): void {
  program
    .command('import')
    .summary('load Parquet files into a Kafka topic, exactly once')
    .description(
      'Loads the rows of Parquet files into a Kafka topic exactly once: <source> is a file, a directory (its *.parquet files, ' +
        'in path order), a glob (quote it), or a Weir table directory (its snapshot, in commit order). Each transaction carries ' +
        'records and the position after them; rerunning the same command after a crash or a kill resumes there without duplicates.',
    )
    .argument('<source>', 'a Parquet file, a directory, a glob, or a Weir table directory')
    .requiredOption('-t, --topic <topic>', 'the topic to write to')
    .option('-k, --key <columns>', 'key column(s): one column gives its string form, several a JSON object of them (default: no key)', listOption)
    .option('--timestamp <column>', 'the column giving the record timestamp (TIMESTAMP, DATE, or INT64/INT32 epoch ms; default: the time of sending)')
    .addOption(new Option('-f, --format <format>', 'value format').choices(['json', 'avro']).default('json'))
    .option('--schema <file.avsc>', 'Avro writer schema for --format avro (default: derived from the Parquet columns)')
    .option('-c, --columns <list>', 'comma-separated columns of the value (default: all; key and timestamp columns are read anyway)', listOption)
    .option('--skip-bad-files', 'report unreadable files (truncated, corrupt, not Parquet) and go on without them')
    .option('-b, --brokers <list>', 'comma-separated bootstrap brokers (default: $WEIR_BROKERS or 127.0.0.1:9092)', listOption)
    .option('--version <v>', 'for a Weir table: import this snapshot version (default: the latest)', integerOption(0))
    .option('--partitions <n>', 'create the topic with n partitions when it does not exist', integerOption(1))
    .option('--transaction-rows <n>', 'rows per transaction at most', integerOption(1), 100_000)
    .option('--transaction-bytes <size>', 'record bytes per transaction at most (e.g. 8m)', byteSize, 16 * 1024 * 1024)
    .option('--position-topic <topic>', 'the compacted topic holding import positions', DEFAULT_POSITION_TOPIC)
    .option('--no-progress', 'no progress bar or progress lines')
    .addHelpText(
      'after',
      `
Values: JSON objects by default, in the encoding of "weir query --format json" (INT64 as JSON numbers with every digit,
timestamps as ISO 8601 strings, DATE as YYYY-MM-DD, DECIMAL as strings, bytes as 0x hex), or Avro binary (--format avro).
A progress bar goes to stderr on a terminal (plain lines otherwise); the summary line goes to stdout.

Examples:
  $ weir import ./archive/clicks --topic clicks --key user --timestamp ts
  $ weir import './archive/2026-11-*/*.parquet' --topic clicks --format avro --skip-bad-files
  $ weir import ./tables/counts --topic counts-replay --key user,window_start --version 12`,
    )
    .action(async (source: string, options: ImportOptions) => {
      const summary = await importParquet(source, options, io);
      await write(io.stdout, summaryLine(summary, options.topic));
    });
}
