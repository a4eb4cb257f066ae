import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type AvroSchema, avroSerde, Columns, IncompatibleSchemaError } from '@weir/avro';
import { Consumed, Serdes, StreamsBuilder } from '@weir/core';
import { TestDriver } from '@weir/core/testing';
import { describe, expect, it } from 'vitest';
import { openTable } from '../src/index.js';
import { DuckDB } from './helpers/duckdb.js';
import { tempDir } from './helpers/tmp.js';

const v1: AvroSchema = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'item', type: 'string' },
    { name: 'amount', type: 'long' },
  ],
};
// A compatible evolution: an added nullable field.
const v2: AvroSchema = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'item', type: 'string' },
    { name: 'amount', type: 'long' },
    { name: 'coupon', type: ['null', 'string'], default: null },
  ],
};
// Incompatible with the table: amount changes type.
const v3: AvroSchema = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'item', type: 'string' },
    { name: 'amount', type: 'string' },
    { name: 'coupon', type: ['null', 'string'], default: null },
  ],
};

/** One deployment of the app: a topology with the given value schema, writing the same table. */
async function deploy(dir: string, schema: AvroSchema, orders: [string, Record<string, unknown>][]): Promise<void> {
  const serde = avroSerde<Record<string, unknown>>(schema);
  const builder = new StreamsBuilder();
  builder.stream('orders', Consumed.with(Serdes.String(), serde)).toParquet(dir, { name: 'orders' });
  const driver = new TestDriver(builder.build());
  try {
    const input = driver.createInputTopic('orders', Serdes.String(), serde);
    for (const [i, [user, order]] of orders.entries()) input.pipeInput(user, order, 1_000 + i);
    await driver.flushExternalSinks();
  } finally {
    driver.close();
  }
}

async function commits(dir: string): Promise<{ version: number; schema: { version: number; columns: { name: string }[] } }[]> {
  const log = path.join(dir, '_weir_log');
  const names = (await readdir(log)).filter((n) => /^\d{20}\.json$/.test(n)).sort();
  return Promise.all(names.map(async (n) => JSON.parse(await readFile(path.join(log, n), 'utf8'))));
}

describe('parquet sink schema evolution', () => {
  it('a compatible new Avro schema starts files of a new schema version; old rows read null in the new column', async () => {
    const dir = tempDir();
    await deploy(dir, v1, [
      ['u1', { item: 'book', amount: 12n }],
      ['u2', { item: 'pen', amount: 3n }],
    ]);
    await deploy(dir, v2, [
      ['u3', { item: 'cup', amount: 5n, coupon: 'SPRING' }],
      ['u4', { item: 'ink', amount: 7n, coupon: null }],
    ]);

    // The log records both schema versions; each file names the version it was written with.
    const log = await commits(dir);
    expect(log.map((c) => [c.version, c.schema.version, c.schema.columns.map((col) => col.name).join(',')])).toEqual([
      [0, 1, 'key,item,amount'],
      [1, 2, 'key,item,amount,coupon'],
    ]);
    const table = await openTable(dir);
    expect(table.files().map((f) => f.schemaVersion)).toEqual([1, 2]);
    expect(table.schema).toEqual([Columns.string('key'), Columns.string('item'), Columns.int64('amount'), Columns.string('coupon', { nullable: true })]);

    const expected = [
      { key: 'u1', item: 'book', amount: 12n, coupon: null },
      { key: 'u2', item: 'pen', amount: 3n, coupon: null },
      { key: 'u3', item: 'cup', amount: 5n, coupon: 'SPRING' },
      { key: 'u4', item: 'ink', amount: 7n, coupon: null },
    ];
    expect(await table.scan({ orderBy: [{ column: 'key' }] }).toArray()).toEqual(expected);

    // DuckDB reads the committed files as one table too (columns unified by name).
    const duckdb = await DuckDB.open();
    try {
      const files = table.filePaths().map((f) => `'${f}'`).join(', ');
      const rows = await duckdb.query(`SELECT key, item, amount, coupon FROM read_parquet([${files}], union_by_name = true) ORDER BY key`, table.schema);
      expect(rows).toEqual(expected);
    } finally {
      duckdb.close();
    }
  });

  it('an older writer after the upgrade writes files of its own version and leaves the table schema alone', async () => {
    const dir = tempDir();
    await deploy(dir, v1, [['u1', { item: 'book', amount: 12n }]]);
    await deploy(dir, v2, [['u2', { item: 'pen', amount: 3n, coupon: 'X' }]]);
    // A v1 instance still running during a rolling deploy.
    await deploy(dir, v1, [['u3', { item: 'cup', amount: 5n }]]);
    const table = await openTable(dir);
    expect(table.schemaVersion).toBe(2);
    expect(table.files().map((f) => f.schemaVersion)).toEqual([1, 2, 1]);
    expect(await table.scan({ columns: ['key', 'coupon'], orderBy: [{ column: 'key' }] }).toArray()).toEqual([
      { key: 'u1', coupon: null },
      { key: 'u2', coupon: 'X' },
      { key: 'u3', coupon: null },
    ]);
  });

  it('an incompatible schema is refused with an error naming the field, and nothing is written', async () => {
    const dir = tempDir();
    await deploy(dir, v2, [['u1', { item: 'book', amount: 12n, coupon: null }]]);
    const before = await readdir(path.join(dir, 'data'));
    const error = await deploy(dir, v3, [['u2', { item: 'pen', amount: 'three', coupon: null }]]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IncompatibleSchemaError);
    expect((error as Error).message).toBe('Incompatible schema change: column "amount" changed type from INT64 to STRING');
    expect(await readdir(path.join(dir, 'data'))).toEqual(before);
    const table = await openTable(dir);
    expect(table.version).toBe(0);
    expect(table.sourceOffsets()).toEqual({ 'test-app-orders-outbox:0': '1' });
  });
});
