import { describe, expect, it } from 'vitest';
import {
  type AvroRecordSchema,
  type AvroSchema,
  avroSerde,
  avroToColumns,
  type Column,
  Columns,
  columnsToAvro,
  InvalidSchemaError,
  type TableSchema,
} from '../src/index.js';

/** The Avro type of the one field of `columnsToAvro([column])`. */
function fieldType(column: Column): AvroSchema {
  const schema = columnsToAvro([column], 'R') as AvroRecordSchema;
  return schema.fields[0]!.type;
}

describe('columnsToAvro', () => {
  // Every column type of the model (columns.ts), each required, nullable and documented.
  const scalars: Column[] = [
    Columns.string('s'),
    Columns.boolean('b'),
    Columns.int32('i'),
    Columns.int64('l'),
    Columns.float('f'),
    Columns.double('d'),
    Columns.bytes('raw'),
    Columns.timestampMillis('ts'),
    Columns.timestampMicros('us'),
    Columns.date('day'),
    Columns.decimal('amount', { precision: 12, scale: 2 }),
    Columns.decimal('whole', { precision: 38 }),
    Columns.uuid('id'),
  ];
  const nested: Column[] = [
    Columns.record('address', [Columns.string('street'), Columns.int32('zip', { nullable: true })]),
    Columns.record('outer', [Columns.record('inner', [Columns.timestampMicros('at')], { nullable: true })]),
    Columns.list('tags', Columns.string('element')),
    Columns.list('maybe_amounts', Columns.decimal('element', { precision: 9, scale: 3, nullable: true })),
    Columns.list('points', Columns.record('element', [Columns.double('x'), Columns.double('y')])),
    Columns.list('matrix', Columns.list('element', Columns.int64('element'))),
    Columns.map('attrs', Columns.string('value', { nullable: true })),
    Columns.map('by_day', Columns.date('value')),
    Columns.map('nested', Columns.record('value', [Columns.uuid('id'), Columns.map('m', Columns.bytes('value'))])),
  ];

  it.each(scalars.concat(nested).map((c) => [c.name, c] as const))('round-trips a %s column through avroToColumns', (_name, column) => {
    for (const variant of [column, Columns.nullable(column), { ...column, doc: `the ${column.name} column` }]) {
      expect(avroToColumns(columnsToAvro([variant], 'R'))).toEqual([variant]);
    }
  });

  it('round-trips a whole table, columns in order', () => {
    const columns: TableSchema = [...scalars, ...nested.map((c) => Columns.nullable(c))];
    expect(avroToColumns(columnsToAvro(columns, 'clicks-topic'))).toEqual(columns);
  });

  it.each<[string, Column, AvroSchema]>([
    ['STRING as string', Columns.string('f'), 'string'],
    ['BOOLEAN as boolean', Columns.boolean('f'), 'boolean'],
    ['INT32 as int', Columns.int32('f'), 'int'],
    ['INT64 as long', Columns.int64('f'), 'long'],
    ['FLOAT as float', Columns.float('f'), 'float'],
    ['DOUBLE as double', Columns.double('f'), 'double'],
    ['BYTES as bytes', Columns.bytes('f'), 'bytes'],
    ['TIMESTAMP_MILLIS as long timestamp-millis', Columns.timestampMillis('f'), { type: 'long', logicalType: 'timestamp-millis' }],
    ['TIMESTAMP_MICROS as long timestamp-micros', Columns.timestampMicros('f'), { type: 'long', logicalType: 'timestamp-micros' }],
    ['DATE as int date', Columns.date('f'), { type: 'int', logicalType: 'date' }],
    ['UUID as string uuid', Columns.uuid('f'), { type: 'string', logicalType: 'uuid' }],
    [
      'DECIMAL as bytes decimal with its precision and scale',
      Columns.decimal('f', { precision: 18, scale: 4 }),
      { type: 'bytes', logicalType: 'decimal', precision: 18, scale: 4 },
    ],
    ['a list as an array of its element', Columns.list('f', Columns.int64('element')), { type: 'array', items: 'long' }],
    ['a map as a map of its value', Columns.map('f', Columns.int32('value')), { type: 'map', values: 'int' }],
    ['a nullable column as a union with null first', Columns.int64('f', { nullable: true }), ['null', 'long']],
  ])('maps %s', (_what, column, expected) => {
    expect(fieldType(column)).toEqual(expected);
  });

  it('gives a nullable field a null default and a documented one its doc', () => {
    const schema = columnsToAvro([Columns.string('a', { nullable: true }), Columns.string('b', { doc: 'B' })], 'R');
    expect(schema).toEqual({
      type: 'record',
      name: 'R',
      fields: [
        { name: 'a', type: ['null', 'string'], default: null },
        { name: 'b', type: 'string', doc: 'B' },
      ],
    });
  });

  it('names the record after `name` and nested records after their column path', () => {
    const schema = columnsToAvro([Columns.record('address', [Columns.record('geo', [Columns.double('lat')])])], '1clicks-topic.v2');
    expect(schema).toEqual({
      type: 'record',
      name: '_1clicks_topic_v2',
      fields: [
        {
          name: 'address',
          type: {
            type: 'record',
            name: '_1clicks_topic_v2_address',
            fields: [{ name: 'geo', type: { type: 'record', name: '_1clicks_topic_v2_address_geo', fields: [{ name: 'lat', type: 'double' }] } }],
          },
        },
      ],
    });
  });

  it('reads a map with a non-string key back with a STRING key: Avro map keys are strings', () => {
    const column = Columns.map('m', Columns.int64('value'), { key: Columns.int32('key') });
    expect(avroToColumns(columnsToAvro([column], 'R'))).toEqual([Columns.map('m', Columns.int64('value'))]);
  });

  it('writes schemas the Avro serde accepts, with values in the column model', () => {
    const columns: TableSchema = [
      Columns.timestampMillis('ts'),
      Columns.timestampMicros('us'),
      Columns.date('day'),
      Columns.decimal('amount', { precision: 10, scale: 2, nullable: true }),
      Columns.uuid('id'),
      Columns.list('tags', Columns.string('element')),
    ];
    const row = {
      ts: new Date('2026-11-26T01:02:03.456Z'),
      us: 1_795_000_000_123_456n,
      day: new Date('2026-11-26T00:00:00Z'),
      amount: '-12.50',
      id: '123e4567-e89b-12d3-a456-426614174000',
      tags: ['a', 'b'],
    };
    const serde = avroSerde<typeof row>(columnsToAvro(columns, 'R'));
    expect(serde.deserialize('t', serde.serialize('t', row))).toEqual(row);
  });

  it('refuses a column name Avro cannot have', () => {
    expect(() => columnsToAvro([Columns.string('user-name')], 't')).toThrow(InvalidSchemaError);
    expect(() => columnsToAvro([Columns.record('ok', [Columns.int32('9lives')])], 't')).toThrow(
      'column "9lives" is not a valid Avro field name: it must match ^[A-Za-z_][A-Za-z0-9_]*$',
    );
  });
});
