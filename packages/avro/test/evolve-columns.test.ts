import { describe, expect, it } from 'vitest';
import { type Column, Columns, evolveColumns, IncompatibleSchemaError, type TableSchema } from '../src/index.js';

const v1: TableSchema = [
  Columns.string('user'),
  Columns.int32('clicks'),
  Columns.record('address', [Columns.string('zip')]),
  Columns.list('tags', Columns.string('element')),
  Columns.map('attrs', Columns.float('value')),
  Columns.decimal('revenue', { precision: 10, scale: 2 }),
  Columns.string('legacy', { nullable: true }),
];

function withColumn(name: string, column: Column): Column[] {
  return [...v1.filter((c) => c.name !== name), column];
}

describe('evolveColumns', () => {
  it('accepts the same schema, changing nothing', () => {
    expect(evolveColumns(v1, v1)).toEqual({ added: [], removed: [], widened: [] });
  });

  it('accepts added nullable columns (read as null), dropped columns, widening and nullability', () => {
    const v2: TableSchema = [
      Columns.string('user', { nullable: true }),
      Columns.int64('clicks'),
      Columns.record('address', [Columns.string('zip'), Columns.string('city', { nullable: true })]),
      Columns.list('tags', Columns.string('element', { nullable: true })),
      Columns.map('attrs', Columns.double('value')),
      Columns.decimal('revenue', { precision: 18, scale: 2 }),
      Columns.timestampMillis('seen', { nullable: true }),
    ];
    expect(evolveColumns(v1, v2)).toEqual({
      added: ['address.city', 'seen'],
      removed: ['legacy'],
      widened: ['user', 'clicks', 'tags[]', 'attrs{}', 'revenue'],
    });
  });

  it.each<[string, TableSchema, TableSchema, string]>([
    [
      'an added column that is not nullable',
      v1,
      withColumn('region', Columns.string('region')),
      'column "region" was added without being nullable: old files have no value for it',
    ],
    ['a type change', v1, withColumn('clicks', Columns.string('clicks')), 'column "clicks" changed type from INT32 to STRING'],
    [
      'a narrowing',
      [Columns.int64('clicks')],
      [Columns.int32('clicks')],
      'column "clicks" changed type from INT64 to INT32',
    ],
    [
      'a nullable column made required',
      v1,
      withColumn('legacy', Columns.string('legacy')),
      'column "legacy" became non-nullable: old files may hold null in it',
    ],
    [
      'a decimal changing scale',
      v1,
      withColumn('revenue', Columns.decimal('revenue', { precision: 10, scale: 3 })),
      'column "revenue" changed type from DECIMAL(10,2) to DECIMAL(10,3): a new scale changes the value of every old decimal',
    ],
    [
      'a decimal losing precision',
      v1,
      withColumn('revenue', Columns.decimal('revenue', { precision: 9, scale: 2 })),
      'column "revenue" changed type from DECIMAL(10,2) to DECIMAL(9,2): old values may not fit the smaller precision',
    ],
    [
      'a nested field changing type',
      v1,
      withColumn('address', Columns.record('address', [Columns.int32('zip')])),
      'column "address.zip" changed type from STRING to INT32',
    ],
    [
      'a list element changing type',
      v1,
      withColumn('tags', Columns.list('tags', Columns.bytes('element'))),
      'column "tags[]" changed type from STRING to BYTES',
    ],
    [
      'a map key changing type',
      v1,
      withColumn('attrs', Columns.map('attrs', Columns.float('value'), { key: Columns.int32('key') })),
      'column "attrs" changed type from map<STRING, FLOAT> to map<INT32, FLOAT>: map keys must keep their type',
    ],
    [
      'a scalar becoming a list',
      v1,
      withColumn('user', Columns.list('user', Columns.string('element'))),
      'column "user" changed type from STRING to list<STRING>',
    ],
    [
      'a timestamp unit change',
      [Columns.timestampMillis('t')],
      [Columns.timestampMicros('t')],
      'column "t" changed type from TIMESTAMP_MILLIS to TIMESTAMP_MICROS',
    ],
  ])('refuses %s, naming the column', (_name, oldColumns, newColumns, message) => {
    expect(() => evolveColumns(oldColumns, newColumns)).toThrow(IncompatibleSchemaError);
    expect(() => evolveColumns(oldColumns, newColumns)).toThrow(`Incompatible schema change: ${message}`);
  });

  it('names every offending column in the error issues', () => {
    const v2 = [Columns.int64('user'), Columns.string('extra')];
    try {
      evolveColumns(v1, v2);
      expect.unreachable();
    } catch (e) {
      expect((e as IncompatibleSchemaError).issues.map((i) => i.path)).toEqual(['user', 'extra']);
    }
  });
});
