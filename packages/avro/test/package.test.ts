import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

describe('@weir/avro package', () => {
  it('exposes its public API from src/index.ts and declares types first in exports', () => {
    expect(Object.keys(pkg.exports['.'])[0]).toBe('types');
    expect(Object.keys(api).sort()).toEqual(
      [
        'Columns',
        'IncompatibleSchemaError',
        'InMemorySchemaRegistry',
        'InvalidSchemaError',
        'SchemaNotFoundError',
        'SubjectNameStrategies',
        'UnsupportedSchemaError',
        'avroSchemaOf',
        'avroSerde',
        'avroToColumns',
        'checkCompatible',
        'columnsToAvro',
        'confluentAvroSerde',
        'confluentSchemaId',
        'evolveColumns',
        'findIncompatibilities',
        'isScalarColumn',
      ].sort(),
    );
  });

  it('depends only on @weir/core and avsc (core <- avro <- parquet)', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@weir/core', 'avsc']);
  });

  it('roots its errors in WeirError', async () => {
    const { WeirError } = await import('@weir/core');
    for (const E of [api.IncompatibleSchemaError, api.InvalidSchemaError, api.SchemaNotFoundError, api.UnsupportedSchemaError]) {
      expect(E.prototype).toBeInstanceOf(WeirError);
    }
  });
});
