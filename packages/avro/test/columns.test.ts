import { describe, expect, it } from 'vitest';
import { Columns, InvalidSchemaError, isScalarColumn, type TableSchema } from '../src/index.js';

describe('Columns', () => {
  it('builds plain, JSON-serializable column objects', () => {
    const schema: TableSchema = [
      Columns.string('user'),
      Columns.int64('count', { nullable: true, doc: 'clicks' }),
      Columns.decimal('revenue', { precision: 18, scale: 2 }),
      Columns.list('tags', Columns.string('tag', { nullable: true })),
      Columns.map('attrs', Columns.int32('v')),
      Columns.record('address', [Columns.string('zip')]),
    ];
    expect(schema).toEqual([
      { name: 'user', nullable: false, type: 'STRING' },
      { name: 'count', nullable: true, doc: 'clicks', type: 'INT64' },
      { name: 'revenue', nullable: false, type: 'DECIMAL', precision: 18, scale: 2 },
      {
        name: 'tags',
        nullable: false,
        type: { kind: 'list', element: { name: 'element', nullable: true, type: 'STRING' } },
      },
      {
        name: 'attrs',
        nullable: false,
        type: {
          kind: 'map',
          key: { name: 'key', nullable: false, type: 'STRING' },
          value: { name: 'value', nullable: false, type: 'INT32' },
        },
      },
      {
        name: 'address',
        nullable: false,
        type: { kind: 'record', fields: [{ name: 'zip', nullable: false, type: 'STRING' }] },
      },
    ]);
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it('has a factory for every scalar type', () => {
    const types = [
      Columns.string('a'),
      Columns.boolean('a'),
      Columns.int32('a'),
      Columns.int64('a'),
      Columns.float('a'),
      Columns.double('a'),
      Columns.bytes('a'),
      Columns.timestampMillis('a'),
      Columns.timestampMicros('a'),
      Columns.date('a'),
      Columns.decimal('a', { precision: 5 }),
      Columns.uuid('a'),
    ].map((column) => column.type);
    expect(types).toEqual([
      'STRING',
      'BOOLEAN',
      'INT32',
      'INT64',
      'FLOAT',
      'DOUBLE',
      'BYTES',
      'TIMESTAMP_MILLIS',
      'TIMESTAMP_MICROS',
      'DATE',
      'DECIMAL',
      'UUID',
    ]);
  });

  it('makes a nullable copy', () => {
    const column = Columns.int32('n');
    expect(Columns.nullable(column)).toEqual({ name: 'n', nullable: true, type: 'INT32' });
    expect(column.nullable).toBe(false);
  });

  it('tells scalar from nested columns', () => {
    expect(isScalarColumn(Columns.decimal('d', { precision: 3 }))).toBe(true);
    expect(isScalarColumn(Columns.list('l', Columns.int32('e')))).toBe(false);
  });

  it('refuses invalid decimals, duplicate fields, nullable map keys and empty names', () => {
    expect(() => Columns.decimal('p', { precision: 0 })).toThrow(
      'Column "p": decimal precision must be an integer >= 1, got 0',
    );
    expect(() => Columns.decimal('p', { precision: 4, scale: 5 })).toThrow(
      'Column "p": decimal scale must be within 0..4, got 5',
    );
    expect(() => Columns.record('r', [Columns.int32('a'), Columns.string('a')])).toThrow(
      'Column "r" has two fields named "a"',
    );
    expect(() => Columns.map('m', Columns.int32('v'), { key: Columns.string('k', { nullable: true }) })).toThrow(
      'Column "m": map keys cannot be nullable',
    );
    expect(() => Columns.string('')).toThrow(InvalidSchemaError);
  });
});
