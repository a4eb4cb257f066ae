import { describe, expect, it } from 'vitest';
import {
  type AvroField,
  type AvroSchema,
  avroSerde,
  checkCompatible,
  findIncompatibilities,
  IncompatibleSchemaError,
} from '../src/index.js';
import { parseSchema } from '../src/internal/parse.js';

const rec = (fields: AvroField[], name = 'R'): AvroSchema => ({ type: 'record', name, fields });
const field = (name: string, type: AvroSchema, extra: Partial<AvroField> = {}): AvroField => ({ name, type, ...extra });
const millis: AvroSchema = { type: 'long', logicalType: 'timestamp-millis' };
const micros: AvroSchema = { type: 'long', logicalType: 'timestamp-micros' };
const decimal = (precision: number, scale: number): AvroSchema => ({ type: 'bytes', logicalType: 'decimal', precision, scale });
const color = (symbols: string[], extra: object = {}): AvroSchema => ({ type: 'enum', name: 'Color', symbols, ...extra });
const address = (fields: AvroField[], extra: object = {}): AvroSchema => ({
  type: 'record',
  name: 'Address',
  fields,
  ...extra,
});

/** Old data must decode with the new schema through the serde: random values, or `samples`. */
function readsOldData(oldSchema: AvroSchema, newSchema: AvroSchema, samples?: unknown[]): void {
  const writer = parseSchema(oldSchema);
  const serde = avroSerde<unknown>(newSchema, { writerSchema: oldSchema });
  const values = samples ?? Array.from({ length: 20 }, () => writer.random());
  for (const value of values) serde.deserialize('t', writer.toBuffer(value));
}

describe('checkCompatible', () => {
  it.each<[string, AvroSchema, AvroSchema, unknown[]?]>([
    ['an added nullable field with default null', rec([field('a', 'int')]), rec([field('a', 'int'), field('b', ['null', 'string'], { default: null })])],
    ['an added field with a default', rec([field('a', 'int')]), rec([field('a', 'int'), field('b', 'long', { default: 5 })])],
    ['a removed field', rec([field('a', 'int'), field('b', 'string')]), rec([field('a', 'int')])],
    ['int to long', rec([field('n', 'int')]), rec([field('n', 'long')])],
    ['int to float', rec([field('n', 'int')]), rec([field('n', 'float')])],
    ['int to double', rec([field('n', 'int')]), rec([field('n', 'double')])],
    ['long to float', rec([field('n', 'long')]), rec([field('n', 'float')])],
    ['long to double', rec([field('n', 'long')]), rec([field('n', 'double')])],
    ['float to double', rec([field('n', 'float')]), rec([field('n', 'double')])],
    ['string to bytes', rec([field('s', 'string')]), rec([field('s', 'bytes')])],
    ['bytes to string', rec([field('s', 'bytes')]), rec([field('s', 'string')])],
    ['long to nullable long', rec([field('n', 'long')]), rec([field('n', ['null', 'long'])])],
    ['nullable int to nullable long', rec([field('n', ['null', 'int'])]), rec([field('n', ['null', 'long'])])],
    ['an enum gaining a symbol', rec([field('c', color(['RED']))]), rec([field('c', color(['RED', 'BLUE']))])],
    [
      'an enum losing a symbol when it has a default',
      rec([field('c', color(['RED', 'BLUE']))]),
      rec([field('c', color(['RED', 'OTHER'], { default: 'OTHER' }))]),
    ],
    ['a renamed field that keeps its old name as an alias', rec([field('n', 'int')]), rec([field('count', 'int', { aliases: ['n'] })])],
    [
      'a renamed record that keeps its old name as an alias',
      rec([field('a', address([field('zip', 'string')]))]),
      rec([field('a', { type: 'record', name: 'Location', aliases: ['Address'], fields: [field('zip', 'string')] })]),
    ],
    ['a record moved to another namespace', rec([field('a', 'int')], 'com.a.R'), rec([field('a', 'int')], 'org.b.R')],
    [
      'a decimal gaining precision at the same scale',
      rec([field('p', decimal(10, 2))]),
      rec([field('p', decimal(20, 2))]),
      [{ p: '-12345678.90' }, { p: '0.01' }],
    ],
    ['a long annotated as timestamp-millis', rec([field('t', 'long')]), rec([field('t', millis)])],
    ['a timestamp-millis read as a plain long', rec([field('t', millis)]), rec([field('t', 'long')])],
    ['an int read as timestamp-micros', rec([field('t', 'int')]), rec([field('t', micros)])],
    ['array items promoted', rec([field('xs', { type: 'array', items: 'int' })]), rec([field('xs', { type: 'array', items: 'long' })])],
    ['map values promoted', rec([field('m', { type: 'map', values: 'float' })]), rec([field('m', { type: 'map', values: 'double' })])],
    [
      'a nested record gaining a field with a default',
      rec([field('a', address([field('zip', 'string')]))]),
      rec([field('a', address([field('zip', 'string'), field('city', 'string', { default: '' })]))]),
    ],
  ])('accepts %s', (_name, oldSchema, newSchema, samples) => {
    expect(findIncompatibilities(oldSchema, newSchema)).toEqual([]);
    expect(() => checkCompatible(oldSchema, newSchema)).not.toThrow();
    readsOldData(oldSchema, newSchema, samples);
  });

  it.each<[string, AvroSchema, AvroSchema, string]>([
    ['a type change', rec([field('count', 'long')]), rec([field('count', 'string')]), 'field "count" changed type from long to string'],
    [
      'an added field without a default',
      rec([field('a', 'int')]),
      rec([field('a', 'int'), field('b', 'int')]),
      'field "b" was added without a default (old data has no value for it)',
    ],
    ['a narrowing', rec([field('n', 'long')]), rec([field('n', 'int')]), 'field "n" changed type from long to int'],
    ['double to float', rec([field('n', 'double')]), rec([field('n', 'float')]), 'field "n" changed type from double to float'],
    [
      'a nullable field made required',
      rec([field('n', ['null', 'long'])]),
      rec([field('n', 'long')]),
      'field "n" changed type from union [null, long] to long',
    ],
    [
      'an enum losing a symbol',
      rec([field('color', color(['RED', 'BLUE']))]),
      rec([field('color', color(['RED']))]),
      'field "color" lost enum symbol "BLUE" (old data may hold it; give the enum a default)',
    ],
    [
      'a renamed record without an alias',
      rec([field('address', address([field('zip', 'string')]))]),
      rec([field('address', { type: 'record', name: 'Location', fields: [field('zip', 'string')] })]),
      'field "address" changed type from record Address to record Location (to rename a type, keep the old name "Address" in its aliases)',
    ],
    [
      'a fixed changing size',
      rec([field('h', { type: 'fixed', name: 'H', size: 16 })]),
      rec([field('h', { type: 'fixed', name: 'H', size: 32 })]),
      'field "h" changed type from fixed H(16) to fixed H(32)',
    ],
    [
      'a decimal changing scale',
      rec([field('price', decimal(10, 2))]),
      rec([field('price', decimal(10, 3))]),
      'field "price" changed type from decimal(10,2) to decimal(10,3): a new scale changes the value of every old decimal',
    ],
    [
      'a decimal losing precision',
      rec([field('price', decimal(10, 2))]),
      rec([field('price', decimal(8, 2))]),
      'field "price" changed type from decimal(10,2) to decimal(8,2): old values may not fit the smaller precision',
    ],
    ['plain bytes read as a decimal', rec([field('p', 'bytes')]), rec([field('p', decimal(10, 2))]), 'field "p" changed type from bytes to decimal(10,2)'],
    [
      'a timestamp changing unit',
      rec([field('at', millis)]),
      rec([field('at', micros)]),
      'field "at" changed type from timestamp-millis to timestamp-micros',
    ],
    [
      'a change deep in nested records',
      rec([field('customer', { type: 'record', name: 'C', fields: [field('address', address([field('zip', 'string')]))] })]),
      rec([field('customer', { type: 'record', name: 'C', fields: [field('address', address([field('zip', 'int')]))] })]),
      'field "customer.address.zip" changed type from string to int',
    ],
    [
      'array items',
      rec([field('tags', { type: 'array', items: 'string' })]),
      rec([field('tags', { type: 'array', items: 'int' })]),
      'field "tags" changed type from array<string> to array<int>',
    ],
    [
      'a field of a record inside a map',
      rec([field('attrs', { type: 'map', values: address([field('zip', 'string')]) })]),
      rec([field('attrs', { type: 'map', values: address([field('zip', 'string'), field('city', 'string')]) })]),
      'field "attrs{}.city" was added without a default (old data has no value for it)',
    ],
    [
      'a field of a nullable record',
      rec([field('a', ['null', address([field('zip', 'string')])])]),
      rec([field('a', ['null', address([field('zip', 'long')])])]),
      'field "a.zip" changed type from string to long',
    ],
    ['the top-level type', 'string', 'long', 'the schema changed type from string to long'],
  ])('refuses %s, naming the field', (_name, oldSchema, newSchema, message) => {
    expect(findIncompatibilities(oldSchema, newSchema).map((i) => i.message)).toEqual([message]);
    expect(() => checkCompatible(oldSchema, newSchema)).toThrow(IncompatibleSchemaError);
    expect(() => checkCompatible(oldSchema, newSchema)).toThrow(`Incompatible schema change: ${message}`);
    // avsc agrees: the serde cannot be built to read old data with the new schema either.
    expect(() => avroSerde(newSchema, { writerSchema: oldSchema })).toThrow(IncompatibleSchemaError);
    expect(() => parseSchema(newSchema).createResolver(parseSchema(oldSchema), { ignoreNamespaces: true })).toThrow();
  });

  it('lists every problem, with paths', () => {
    const oldSchema = rec([field('a', 'long'), field('b', 'string')]);
    const newSchema = rec([field('a', 'int'), field('b', 'string'), field('c', 'int')]);
    let error: IncompatibleSchemaError | undefined;
    try {
      checkCompatible(oldSchema, newSchema);
    } catch (e) {
      error = e as IncompatibleSchemaError;
    }
    expect(error?.issues).toEqual([
      { path: 'a', message: 'field "a" changed type from long to int' },
      { path: 'c', message: 'field "c" was added without a default (old data has no value for it)' },
    ]);
    expect(error?.message).toBe(
      'Incompatible schema change: field "a" changed type from long to int; field "c" was added without a default (old data has no value for it)',
    );
  });

  it('handles recursive schemas', () => {
    const node = (extra: AvroField[]): AvroSchema =>
      rec([field('value', 'int'), field('next', ['null', 'Node']), ...extra], 'Node');
    expect(findIncompatibilities(node([]), node([field('label', ['null', 'string'], { default: null })]))).toEqual([]);
    expect(findIncompatibilities(node([]), node([field('label', 'string')])).map((i) => i.path)).toEqual(['label']);
  });
});
