import { Columns, IncompatibleSchemaError, type TableSchema } from '@weir/avro';
import { describe, expect, it } from 'vitest';
import { col, openTable, TableWriter } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

const v1: TableSchema = [
  Columns.string('user'),
  Columns.int32('clicks'),
  Columns.record('address', [Columns.string('city')]),
  Columns.string('legacy', { nullable: true }),
];

const v2: TableSchema = [
  Columns.string('user'),
  Columns.int64('clicks'),
  Columns.record('address', [Columns.string('city'), Columns.string('zip', { nullable: true })]),
  Columns.string('region', { nullable: true }),
];

async function evolvedTable(): Promise<string> {
  const dir = tempDir();
  const old = await TableWriter.open(dir, { schema: v1 });
  await old.write([
    { user: 'ada', clicks: 3, address: { city: 'London' }, legacy: 'x' },
    { user: 'bob', clicks: 9, address: { city: 'Paris' }, legacy: null },
  ]);
  const current = await TableWriter.open(dir, { schema: v2 });
  await current.write([{ user: 'cy', clicks: 2n ** 40n, address: { city: 'Rome', zip: '00100' }, region: 'eu' }]);
  return dir;
}

describe('schema evolution on read', () => {
  it('reads files of an older schema version as the current schema', async () => {
    const table = await openTable(await evolvedTable());
    expect(table.schemaVersion).toBe(2);
    expect(table.schema).toEqual(v2);
    expect(table.files().map((f) => f.schemaVersion)).toEqual([1, 2]);
    expect(await table.scan().toArray()).toEqual([
      { user: 'ada', clicks: 3n, address: { city: 'London', zip: null }, region: null },
      { user: 'bob', clicks: 9n, address: { city: 'Paris', zip: null }, region: null },
      { user: 'cy', clicks: 2n ** 40n, address: { city: 'Rome', zip: '00100' }, region: 'eu' },
    ]);
  });

  it('reads an old version with its own schema (time travel)', async () => {
    const dir = await evolvedTable();
    const before = await openTable(dir, { version: 0 });
    expect(before.schema).toEqual(v1);
    expect(await before.scan({ columns: ['user', 'clicks', 'legacy'] }).toArray()).toEqual([
      { user: 'ada', clicks: 3, legacy: 'x' },
      { user: 'bob', clicks: 9, legacy: null },
    ]);
  });

  it('filters on added and widened columns, skipping files where the new column is all null', async () => {
    const table = await openTable(await evolvedTable());
    const eu = table.scan({ filter: col('region').eq('eu'), columns: ['user'] });
    expect(await eu.toArray()).toEqual([{ user: 'cy' }]);
    expect(eu.stats).toMatchObject({ filesSkipped: 1, filesRead: 1 });
    expect(await table.count(col('region').isNull())).toBe(2);
    const many = table.scan({ filter: col('clicks').gt(5n), columns: ['user'] });
    expect(await many.toArray()).toEqual([{ user: 'bob' }, { user: 'cy' }]);
  });

  it('refuses an incompatible schema change at commit, naming the column', async () => {
    const dir = await evolvedTable();
    const writer = await TableWriter.open(dir, { schema: [Columns.string('user'), Columns.string('clicks')] });
    await expect(writer.write([{ user: 'dee', clicks: 'many' }])).rejects.toThrow(IncompatibleSchemaError);
    await expect(writer.write([{ user: 'dee', clicks: 'many' }])).rejects.toThrow('column "clicks" changed type from INT64 to STRING');
    expect((await openTable(dir)).version).toBe(1);
  });
});
