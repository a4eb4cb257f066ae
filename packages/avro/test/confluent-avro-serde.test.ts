import { SerdeError } from '@weir/core';
import { describe, expect, it } from 'vitest';
import {
  type AvroSchema,
  avroSerde,
  confluentAvroSerde,
  confluentSchemaId,
  InMemorySchemaRegistry,
  SchemaNotFoundError,
  type SchemaRegistry,
  SubjectNameStrategies,
} from '../src/index.js';

interface Order {
  id: string;
  amount: bigint;
}

const v1: AvroSchema = {
  type: 'record',
  name: 'Order',
  namespace: 'com.acme',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'long' },
  ],
};
const v2: AvroSchema = {
  type: 'record',
  name: 'Order',
  namespace: 'com.acme',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'long' },
    { name: 'coupon', type: ['null', 'string'], default: null },
  ],
};

function errorOf(fn: () => unknown): SerdeError {
  try {
    fn();
  } catch (e) {
    return e as SerdeError;
  }
  throw new Error('expected an error');
}

describe('confluentAvroSerde', () => {
  it('frames the Avro body with magic byte 0 and the big-endian schema id, byte for byte', () => {
    const registry = new InMemorySchemaRegistry().add(258, v1);
    const serde = confluentAvroSerde<Order>({ registry, schema: v1, schemaId: 258 });
    const bytes = serde.serialize('orders', { id: 'a', amount: 1n })!;
    // 0x00 | 00 00 01 02 (258) | string "a" (len 1 -> 0x02, 0x61) | long 1 (0x02)
    expect([...bytes]).toEqual([0x00, 0x00, 0x00, 0x01, 0x02, 0x02, 0x61, 0x02]);
    expect(serde.deserialize('orders', bytes)).toEqual({ id: 'a', amount: 1n });
    expect(confluentSchemaId(bytes)).toBe(258);
  });

  it('registers the schema under <topic>-value on first use and reuses the id', () => {
    const registry = new InMemorySchemaRegistry();
    const serde = confluentAvroSerde<Order>({ registry, schema: v1 });
    const bytes = serde.serialize('orders', { id: 'a', amount: 2n })!;
    expect(registry.subjects()).toEqual(['orders-value']);
    expect(confluentSchemaId(bytes)).toBe(registry.latest('orders-value')!.id);
    serde.serialize('orders', { id: 'b', amount: 3n });
    expect(registry.versions('orders-value')).toHaveLength(1);
  });

  it('names subjects by strategy: key serdes, record names, fixed subjects', () => {
    const registry = new InMemorySchemaRegistry();
    const value = { id: 'a', amount: 1n };
    confluentAvroSerde<Order>({ registry, schema: v1, isKey: true }).serialize('orders', value);
    confluentAvroSerde<Order>({ registry, schema: v1, subject: SubjectNameStrategies.record }).serialize('x', value);
    confluentAvroSerde<Order>({ registry, schema: v1, subject: SubjectNameStrategies.topicRecord }).serialize('y', value);
    confluentAvroSerde<Order>({ registry, schema: v1, subject: 'fixed-subject' }).serialize('z', value);
    expect(registry.subjects()).toEqual(['orders-key', 'com.acme.Order', 'y-com.acme.Order', 'fixed-subject']);
    // The same schema has one id across subjects, as in Confluent's registry.
    expect(new Set(registry.subjects().map((s) => registry.latest(s)!.id)).size).toBe(1);
  });

  it('reads records written with an older schema id into the reader schema, caching per id', () => {
    const registry = new InMemorySchemaRegistry();
    const producerV1 = confluentAvroSerde<Order>({ registry, schema: v1 });
    const producerV2 = confluentAvroSerde<Order & { coupon: string | null }>({ registry, schema: v2 });
    const old = producerV1.serialize('orders', { id: 'a', amount: 1n })!;
    const recent = producerV2.serialize('orders', { id: 'b', amount: 2n, coupon: 'XMAS' })!;
    expect(confluentSchemaId(old)).not.toBe(confluentSchemaId(recent));

    const consumer = confluentAvroSerde<unknown>({ registry, schema: v2 });
    expect(consumer.deserialize('orders', old)).toEqual({ id: 'a', amount: 1n, coupon: null });
    expect(consumer.deserialize('orders', recent)).toEqual({ id: 'b', amount: 2n, coupon: 'XMAS' });
    expect(consumer.deserialize('orders', old)).toEqual({ id: 'a', amount: 1n, coupon: null });
  });

  it('reads each record in its own writer schema when it has no schema, and refuses to serialize', () => {
    const registry = new InMemorySchemaRegistry();
    const bytes = confluentAvroSerde<Order>({ registry, schema: v1 }).serialize('orders', { id: 'a', amount: 1n });
    const generic = confluentAvroSerde<unknown>({ registry });
    expect(generic.deserialize('orders', bytes)).toEqual({ id: 'a', amount: 1n });
    expect(() => generic.serialize('orders', { id: 'a' })).toThrow(
      'Confluent Avro serde has no schema to serialize with (topic "orders"): pass options.schema',
    );
  });

  it('interoperates with the plain Avro serde for the body', () => {
    const registry = new InMemorySchemaRegistry();
    const bytes = confluentAvroSerde<Order>({ registry, schema: v1 }).serialize('orders', { id: 'a', amount: 9n })!;
    expect(avroSerde<Order>(v1).deserialize('orders', bytes.subarray(5))).toEqual({ id: 'a', amount: 9n });
  });

  describe('malformed bytes', () => {
    const registry = new InMemorySchemaRegistry();
    const serde = confluentAvroSerde<Order>({ registry, schema: v1 });
    const good = serde.serialize('orders', { id: 'abc', amount: 5n })!;
    const id = confluentSchemaId(good)!;

    it('refuses a wrong magic byte, naming topic, length and the byte found', () => {
      const json = Buffer.from('{"id":"abc"}');
      const error = errorOf(() => serde.deserialize('orders', json));
      expect(error).toBeInstanceOf(SerdeError);
      expect(error.message).toBe(
        'Confluent Avro serde cannot deserialize 12 bytes from topic "orders": first byte is 0x7b, not the magic byte 0x00 of the Confluent wire format',
      );
      expect(error.context.topic).toBe('orders');
    });

    it('refuses bytes shorter than the header', () => {
      expect(() => serde.deserialize('orders', new Uint8Array([0, 0, 1]))).toThrow(
        'Confluent Avro serde cannot deserialize 3 bytes from topic "orders": shorter than the 5-byte Confluent header (magic byte 0 and a 4-byte schema id)',
      );
      expect(() => serde.deserialize('orders', new Uint8Array(0))).toThrow('cannot deserialize 0 bytes');
    });

    it('refuses an unknown schema id', () => {
      const unknown = Buffer.from(good);
      unknown.writeInt32BE(9999, 1);
      expect(() => serde.deserialize('orders', unknown)).toThrow(
        `Confluent Avro serde cannot deserialize ${good.length} bytes from topic "orders" (schema id 9999): unknown schema id 9999 (No schema with id 9999 in the registry)`,
      );
    });

    it('refuses truncated bytes', () => {
      expect(() => serde.deserialize('orders', good.subarray(0, 7))).toThrow(
        `Confluent Avro serde cannot deserialize 7 bytes from topic "orders" (schema id ${id}): truncated: the bytes end before the Avro value does`,
      );
    });

    it('refuses a writer schema the reader schema cannot read, naming the field', () => {
      const other = new InMemorySchemaRegistry();
      const wid = other.register('orders-value', {
        type: 'record',
        name: 'Order',
        fields: [{ name: 'id', type: 'long' }],
      });
      const bytes = Buffer.from([0, 0, 0, 0, wid, 0x02]);
      const reader = confluentAvroSerde<Order>({ registry: other, schema: v1 });
      expect(() => reader.deserialize('orders', bytes)).toThrow(
        `(schema id ${wid}): the serde's schema cannot read schema id ${wid}: Incompatible schema change: field "id" changed type from long to string; field "amount" was added without a default (old data has no value for it)`,
      );
    });
  });

  describe('with a registry that answers asynchronously', () => {
    class AsyncRegistry implements SchemaRegistry {
      readonly inner = new InMemorySchemaRegistry();
      calls = 0;
      async getSchema(id: number) {
        this.calls++;
        return this.inner.getSchema(id);
      }
      async register(subject: string, schema: AvroSchema) {
        return this.inner.register(subject, schema);
      }
    }

    it('asks for prepare() before serializing, then stays synchronous', async () => {
      const registry = new AsyncRegistry();
      const serde = confluentAvroSerde<Order>({ registry, schema: v1 });
      expect(() => serde.serialize('orders', { id: 'a', amount: 1n })).toThrow(
        'Confluent Avro serde has no schema id for subject "orders-value" yet (topic "orders"): the registry answers asynchronously, so await serde.prepare({ topics: ["orders"] }) before serializing',
      );
      await serde.prepare({ topics: ['orders'] });
      expect(confluentSchemaId(serde.serialize('orders', { id: 'a', amount: 1n })!)).toBe(1);
    });

    it('resolves the schema ids of a batch with prepareBatch(), once per id', async () => {
      const registry = new AsyncRegistry();
      const id = registry.inner.register('orders-value', v1);
      const writer = confluentAvroSerde<Order>({ registry: registry.inner, schema: v1 });
      const batch = [writer.serialize('orders', { id: 'a', amount: 1n }), null, writer.serialize('orders', { id: 'b', amount: 2n })];

      const reader = confluentAvroSerde<Order>({ registry, schema: v1 });
      expect(() => reader.deserialize('orders', batch[0]!)).toThrow(
        `(schema id ${id}): schema id ${id} is not loaded yet: the registry answers asynchronously, so await serde.prepareBatch(values) or serde.prepare({ schemaIds: [${id}] }) before deserializing`,
      );
      await reader.prepareBatch(batch);
      expect(batch.map((bytes) => reader.deserialize('orders', bytes))).toEqual([
        { id: 'a', amount: 1n },
        null,
        { id: 'b', amount: 2n },
      ]);
      await reader.prepareBatch(batch);
      expect(registry.calls).toBe(1);
    });

    it('reports an id the registry does not know on each record carrying it, without failing the batch', async () => {
      const registry = new AsyncRegistry();
      const reader = confluentAvroSerde<Order>({ registry, schema: v1 });
      const bytes = Buffer.from([0, 0, 0, 0, 77, 0]);
      await expect(reader.prepareBatch([bytes])).resolves.toBeUndefined();
      expect(() => reader.deserialize('orders', bytes)).toThrow(
        'cannot deserialize 6 bytes from topic "orders" (schema id 77): unknown schema id 77 (No schema with id 77 in the registry)',
      );
      // A later prepare retries: the registry may have learnt the id meanwhile.
      registry.inner.add(77, v1);
      await reader.prepare({ schemaIds: [77] });
      expect(reader.deserialize('orders', Buffer.from([0, 0, 0, 0, 77, 0x02, 0x61, 0x02]))).toEqual({ id: 'a', amount: 1n });
    });

    it('surfaces a registry failure from register() as a SerdeError', () => {
      const failing: SchemaRegistry = {
        getSchema: () => {
          throw new SchemaNotFoundError('none');
        },
        register: () => {
          throw new Error('registry down');
        },
      };
      const serde = confluentAvroSerde<Order>({ registry: failing, schema: v1 });
      expect(() => serde.serialize('orders', { id: 'a', amount: 1n })).toThrow(
        'Confluent Avro serde cannot register its schema under subject "orders-value" (topic "orders"): registry down',
      );
    });
  });
});
