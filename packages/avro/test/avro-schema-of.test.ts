import { Serdes } from '@weir/core';
import { describe, expect, it } from 'vitest';
import { type AvroSchema, avroSchemaOf, avroSerde, confluentAvroSerde, InMemorySchemaRegistry } from '../src/index.js';

const schema: AvroSchema = { type: 'record', name: 'Count', fields: [{ name: 'count', type: 'long' }] };

describe('avroSchemaOf', () => {
  it('returns the schema of a plain Avro serde and the reader schema of a Confluent serde', () => {
    expect(avroSchemaOf(avroSerde(schema))).toBe(schema);
    expect(avroSchemaOf(confluentAvroSerde({ registry: new InMemorySchemaRegistry(), schema }))).toBe(schema);
  });

  it('returns undefined for other serdes and for a Confluent serde without a fixed schema', () => {
    expect(avroSchemaOf(Serdes.String())).toBeUndefined();
    expect(avroSchemaOf(Serdes.Json())).toBeUndefined();
    expect(avroSchemaOf(confluentAvroSerde({ registry: new InMemorySchemaRegistry() }))).toBeUndefined();
    expect(avroSchemaOf(undefined)).toBeUndefined();
  });

  it('does not show the tag to JSON or key enumeration', () => {
    expect(Object.keys(avroSerde(schema))).toEqual(['serialize', 'deserialize']);
  });
});
