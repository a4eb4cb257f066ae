import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Columns } from '@weir/avro';
import { Consumed, ProcessingError, Serdes, StreamsBuilder } from '@weir/core';
import { TestDriver } from '@weir/core/testing';
import { describe, expect, it } from 'vitest';
import { openTable, parquetSink } from '../src/index.js';

interface Purchase {
  item: string;
  amount: unknown;
}

function topology(dir: string) {
  const builder = new StreamsBuilder();
  builder.stream('purchases', Consumed.with(Serdes.String(), Serdes.Json<Purchase>())).to(
    parquetSink<string, Purchase>(dir, {
      name: 'purchases',
      schema: [Columns.string('user'), Columns.string('item'), Columns.int64('amount')],
      keySerde: Serdes.String(),
      toRow: (user, p) => ({ user, item: p.item, amount: typeof p.amount === 'number' ? BigInt(p.amount) : p.amount }),
      roll: { rows: 10 },
    }),
  );
  return builder.build();
}

describe('parquetSink', () => {
  it('writes the rows of a stream to a table through the outbox, in offset order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-sink-'));
    const driver = new TestDriver(topology(dir));
    const input = driver.createInputTopic('purchases', Serdes.String(), Serdes.Json<Purchase>());
    input.pipeInput('alice', { item: 'book', amount: 12 }, 1_000);
    input.pipeInput('bob', { item: 'pen', amount: 3 }, 2_000);
    await driver.flushExternalSinks();
    const table = await openTable(dir);
    const rows = await table.scan({ orderBy: [{ column: 'user' }] }).toArray();
    expect(rows).toEqual([
      { user: 'alice', item: 'book', amount: 12n },
      { user: 'bob', item: 'pen', amount: 3n },
    ]);
    expect(table.sourceOffsets()).toEqual({ 'test-app-purchases-outbox:0': '2' });
    driver.close();
  });

  it('refuses a record that does not fit the schema in the task, naming the field and the value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-sink-bad-'));
    const driver = new TestDriver(topology(dir));
    const input = driver.createInputTopic('purchases', Serdes.String(), Serdes.Json<Purchase>());
    let error: unknown;
    try {
      input.pipeInput('carol', { item: 'cup', amount: 'lots' }, 1_000);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProcessingError);
    expect((error as Error).message).toMatch(/amount/);
    expect((error as Error).message).toMatch(/lots/);
    driver.close();
  });
});
