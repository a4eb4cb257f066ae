import { WeirError } from '@weir/core';
import { describe, expect, it } from 'vitest';
import {
  type AvroSchema,
  IncompatibleSchemaError,
  InMemorySchemaRegistry,
  SchemaNotFoundError,
} from '../src/index.js';

const v1: AvroSchema = { type: 'record', name: 'User', fields: [{ name: 'name', type: 'string' }] };
const v2: AvroSchema = {
  type: 'record',
  name: 'User',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'email', type: ['null', 'string'], default: null },
  ],
};
const breaking: AvroSchema = {
  type: 'record',
  name: 'User',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'age', type: 'int' },
  ],
};

describe('InMemorySchemaRegistry', () => {
  it('hands out ids from 1 and numbers versions per subject', () => {
    const registry = new InMemorySchemaRegistry();
    expect(registry.register('users-value', v1)).toBe(1);
    expect(registry.register('users-value', v2)).toBe(2);
    expect(registry.versions('users-value').map((v) => [v.version, v.id])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(registry.latest('users-value')).toMatchObject({ subject: 'users-value', version: 2, id: 2 });
    expect(registry.getSchema(1)).toEqual(v1);
  });

  it('returns the existing id when a schema is registered again, in this or another subject', () => {
    const registry = new InMemorySchemaRegistry();
    const id = registry.register('a-value', v1);
    expect(registry.register('a-value', structuredClone(v1))).toBe(id);
    expect(registry.register('b-value', v1)).toBe(id);
    expect(registry.versions('a-value')).toHaveLength(1);
  });

  it('refuses a BACKWARD-incompatible version, naming the subject and the field', () => {
    const registry = new InMemorySchemaRegistry();
    registry.register('users-value', v1);
    expect(() => registry.register('users-value', breaking)).toThrow(IncompatibleSchemaError);
    expect(() => registry.register('users-value', breaking)).toThrow(
      'Incompatible schema change for subject "users-value": field "age" was added without a default (old data has no value for it)',
    );
    expect(registry.versions('users-value')).toHaveLength(1);
  });

  it('accepts anything with compatibility NONE', () => {
    const registry = new InMemorySchemaRegistry({ compatibility: 'NONE' });
    registry.register('users-value', v1);
    expect(registry.register('users-value', breaking)).toBe(2);
  });

  it('throws SchemaNotFoundError for an unknown id', () => {
    const registry = new InMemorySchemaRegistry();
    expect(() => registry.getSchema(5)).toThrow(SchemaNotFoundError);
    expect(() => registry.getSchema(5)).toThrow('No schema with id 5 in the registry');
  });

  it('adds schemas under known ids and keeps new ids above them', () => {
    const registry = new InMemorySchemaRegistry().add(100, v1, 'users-value');
    expect(registry.getSchema(100)).toEqual(v1);
    expect(registry.latest('users-value')).toMatchObject({ id: 100, version: 1 });
    expect(registry.register('users-value', v2)).toBe(101);
    expect(() => registry.add(100, v2)).toThrow(WeirError);
    expect(() => registry.add(100, v2)).toThrow('Schema id 100 is already registered with a different schema');
    expect(registry.add(100, v1)).toBe(registry);
  });

  it('keeps its own copy of a registered schema', () => {
    const registry = new InMemorySchemaRegistry();
    const field = { name: 'name', type: 'string' };
    const id = registry.register('s', { type: 'record', name: 'User', fields: [field] });
    field.name = 'changed';
    expect(registry.getSchema(id)).toEqual(v1);
  });
});
