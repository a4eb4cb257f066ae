import { describe, expect, it } from 'vitest';
import { type AvroSchema, avroToColumns, type Column, Columns, UnsupportedSchemaError } from '../src/index.js';

function columnOf(type: AvroSchema): Column {
  return avroToColumns({ type: 'record', name: 'R', fields: [{ name: 'f', type }] })[0]!;
}

describe('avroToColumns', () => {
  it.each<[string, AvroSchema, Column]>([
    ['boolean', 'boolean', Columns.boolean('f')],
    ['int', 'int', Columns.int32('f')],
    ['long', 'long', Columns.int64('f')],
    ['{type: long}', { type: 'long' }, Columns.int64('f')],
    ['float', 'float', Columns.float('f')],
    ['double', 'double', Columns.double('f')],
    ['string', 'string', Columns.string('f')],
    ['bytes', 'bytes', Columns.bytes('f')],
    ['enum', { type: 'enum', name: 'E', symbols: ['A', 'B'] }, Columns.string('f')],
    ['fixed', { type: 'fixed', name: 'F', size: 3 }, Columns.bytes('f')],
    ['timestamp-millis', { type: 'long', logicalType: 'timestamp-millis' }, Columns.timestampMillis('f')],
    ['timestamp-micros', { type: 'long', logicalType: 'timestamp-micros' }, Columns.timestampMicros('f')],
    ['date', { type: 'int', logicalType: 'date' }, Columns.date('f')],
    [
      'decimal on bytes',
      { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 },
      Columns.decimal('f', { precision: 12, scale: 2 }),
    ],
    [
      'decimal on fixed',
      { type: 'fixed', name: 'D', size: 8, logicalType: 'decimal', precision: 18, scale: 0 },
      Columns.decimal('f', { precision: 18 }),
    ],
    ['uuid on string', { type: 'string', logicalType: 'uuid' }, Columns.uuid('f')],
    ['uuid on fixed', { type: 'fixed', name: 'U', size: 16, logicalType: 'uuid' }, Columns.uuid('f')],
    ['an unknown logical type, as its underlying type', { type: 'long', logicalType: 'local-timestamp-millis' }, Columns.int64('f')],
    ['time-millis, as its underlying int', { type: 'int', logicalType: 'time-millis' }, Columns.int32('f')],
    ['an invalid decimal, as its underlying bytes', { type: 'bytes', logicalType: 'decimal', precision: 0 }, Columns.bytes('f')],
    ['["null", T]', ['null', 'long'], Columns.int64('f', { nullable: true })],
    ['[T, "null"]', ['string', 'null'], Columns.string('f', { nullable: true })],
    [
      'nullable logical',
      ['null', { type: 'long', logicalType: 'timestamp-millis' }],
      Columns.timestampMillis('f', { nullable: true }),
    ],
    ['array', { type: 'array', items: 'string' }, Columns.list('f', Columns.string('element'))],
    [
      'array of nullable items',
      { type: 'array', items: ['null', 'int'] },
      Columns.list('f', Columns.int32('element', { nullable: true })),
    ],
    ['map', { type: 'map', values: 'double' }, Columns.map('f', Columns.double('value'))],
    [
      'nullable map of nullable arrays',
      ['null', { type: 'map', values: ['null', { type: 'array', items: 'long' }] }],
      Columns.map('f', Columns.list('value', Columns.int64('element'), { nullable: true }), { nullable: true }),
    ],
  ])('maps %s', (_name, type, column) => {
    expect(columnOf(type)).toEqual(column);
  });

  it('maps nested records, field docs and reused named types', () => {
    const schema: AvroSchema = {
      type: 'record',
      name: 'Order',
      fields: [
        { name: 'id', type: 'string', doc: 'order id' },
        {
          name: 'billing',
          type: { type: 'record', name: 'Address', fields: [{ name: 'zip', type: 'string' }, { name: 'line2', type: ['null', 'string'] }] },
        },
        { name: 'shipping', type: ['null', 'Address'] },
        { name: 'lines', type: { type: 'array', items: { type: 'record', name: 'Line', fields: [{ name: 'qty', type: 'int' }] } } },
      ],
    };
    const address = [Columns.string('zip'), Columns.string('line2', { nullable: true })];
    expect(avroToColumns(schema)).toEqual([
      Columns.string('id', { doc: 'order id' }),
      Columns.record('billing', address),
      Columns.record('shipping', address, { nullable: true }),
      Columns.list('lines', Columns.record('element', [Columns.int32('qty')])),
    ]);
  });

  it('refuses a union of two non-null types, naming the field', () => {
    const schema: AvroSchema = {
      type: 'record',
      name: 'R',
      fields: [{ name: 'inner', type: { type: 'record', name: 'I', fields: [{ name: 'payload', type: ['null', 'string', 'long'] }] } }],
    };
    expect(() => avroToColumns(schema)).toThrow(UnsupportedSchemaError);
    expect(() => avroToColumns(schema)).toThrow(
      'Avro field "inner.payload" is a union [null, string, long]: only a union of null and one type maps to a column',
    );
  });

  it('refuses a null field, a recursive record and a schema that is not a record', () => {
    expect(() => columnOf('null')).toThrow('Avro field "f" has type null, which maps to no column');
    expect(() => columnOf(['null'])).toThrow('Avro field "f" is a union [null]');
    const list: AvroSchema = {
      type: 'record',
      name: 'Node',
      fields: [
        { name: 'value', type: 'int' },
        { name: 'next', type: ['null', 'Node'] },
      ],
    };
    expect(() => avroToColumns(list)).toThrow(
      'Avro field "next" refers back to record Node: a recursive record maps to no columns',
    );
    expect(() => avroToColumns('long')).toThrow('An Avro schema maps to table columns only when it is a record, got long');
  });
});
