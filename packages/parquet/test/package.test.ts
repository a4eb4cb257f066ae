import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

describe('@weir/parquet package', () => {
  it('exposes its public API from src/index.ts and declares types first in exports', () => {
    expect(Object.keys(pkg.exports['.'])[0]).toBe('types');
    expect(Object.keys(pkg.exports)).toEqual(['.']);
    expect(Object.keys(api).sort()).toEqual(
      [
        'AlreadyCommittedError',
        'BadParquetFileError',
        'CREATED_BY',
        'CommitConflictError',
        'ContinuityError',
        'CorruptTableError',
        'DEFAULT_RETENTION_MS',
        'DataFileError',
        'InvalidQueryError',
        'InvalidRowError',
        'SourceSchemaError',
        'TABLE_FORMAT_VERSION',
        'Table',
        'TableError',
        'TableNotFoundError',
        'TableScan',
        'TableWriter',
        'UnsupportedCodecError',
        'WEIR_METADATA_KEYS',
        'WEIR_VERSION',
        'and',
        'checkSourceColumns',
        'cleanupTempFiles',
        'col',
        'commitFiles',
        'compactTable',
        'defaultRow',
        'deriveSinkSchema',
        'emptyReadStats',
        'listParquetSource',
        'mergeRanges',
        'openTable',
        'or',
        'parquetRowSerde',
        'parquetSink',
        'parquetSource',
        'readParquetRows',
        'supportedCodecs',
        'vacuum',
        'verifyTable',
        'watchCommits',
        'watchTable',
        'windowedKeySerde',
        'writeParquetFile',
      ].sort(),
    );
  });

  it('depends on core, avro, the hyparquet family and rxjs only (core <- avro <- parquet)', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual(
      ['@weir/avro', '@weir/core', 'hyparquet', 'hyparquet-compressors', 'hyparquet-writer', 'rxjs'].sort(),
    );
    expect(Object.keys(pkg.devDependencies ?? {})).toEqual(['@duckdb/node-api']);
  });

  it('writes the package version into commits and files', () => {
    expect(api.WEIR_VERSION).toBe(pkg.version);
  });

  it('roots its errors in WeirError', async () => {
    const { WeirError } = await import('@weir/core');
    for (const E of [
      api.TableError,
      api.AlreadyCommittedError,
      api.BadParquetFileError,
      api.CommitConflictError,
      api.ContinuityError,
      api.CorruptTableError,
      api.DataFileError,
      api.InvalidQueryError,
      api.InvalidRowError,
      api.SourceSchemaError,
      api.TableNotFoundError,
      api.UnsupportedCodecError,
    ]) {
      expect(E.prototype).toBeInstanceOf(WeirError);
      expect(E === api.TableError || E.prototype instanceof api.TableError).toBe(true);
    }
  });
});
