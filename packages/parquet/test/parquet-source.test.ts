import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Columns, type TableSchema } from '@weir/avro';
import { Consumed, Grouped, type KStream, Produced, Serdes, type SourceRecord, StreamsBuilder, TimeWindows, windowedSerde } from '@weir/core';
import { TestDriver } from '@weir/core/testing';
import { describe, expect, it } from 'vitest';
import { parquetRowSerde, parquetSource, TableWriter, writeParquetFile } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

type View = { user: string; page: string; n: bigint; ts: Date };

const schema: TableSchema = [Columns.string('user'), Columns.string('page'), Columns.int64('n'), Columns.timestampMillis('ts'), Columns.string('note')];

const T0 = Date.UTC(2026, 10, 26);
/** 40 page views over ~2 minutes, out of order here and there (some late for a 10 s window + 2 s grace). */
const views: View[] = Array.from({ length: 40 }, (_, i) => ({
  user: `u${i % 3}`,
  page: `/p${(i * 7) % 4}`,
  n: BigInt(i),
  ts: new Date(T0 + i * 3_000 - (i % 5 === 4 ? 20_000 : 0)),
}));
const row = (v: View, i: number) => ({ ...v, note: `row ${i} ${'x'.repeat(40)}` });

/** The views in two files (sorted names a-, b-) of row groups of 7 rows. */
async function files(dir = tempDir()): Promise<string> {
  await writeParquetFile(path.join(dir, 'b-second.parquet'), schema, views.slice(25).map((v, i) => row(v, i + 25)), { rowGroupSize: 7 });
  await writeParquetFile(path.join(dir, 'a-first.parquet'), schema, views.slice(0, 25).map(row), { rowGroupSize: 7 });
  return dir;
}

const windowed = windowedSerde(Serdes.String());

/** A stateless map and a windowed count per page (through a repartition: the key changes). */
function topology(stream: (b: StreamsBuilder) => KStream<string, View>) {
  const builder = new StreamsBuilder();
  const s = stream(builder);
  s.mapValues((v) => `${v.page}#${v.n}`).to('mapped', Produced.with(Serdes.String(), Serdes.String()));
  s.groupBy((_user, v) => v.page, Grouped.with(Serdes.String(), parquetRowSerde<View>()))
    .windowedBy(TimeWindows.ofSizeAndGrace(10_000, 2_000))
    .count()
    .toStream()
    .to('counts', Produced.with(windowed, Serdes.Json<number>()));
  return builder.build();
}

function outputs(driver: TestDriver) {
  return {
    mapped: driver.createOutputTopic('mapped', Serdes.String(), Serdes.String()).readRecordsToList(),
    counts: driver.createOutputTopic('counts', windowed, Serdes.Json<number>()).readRecordsToList(),
    dropped: driver.droppedRecords(),
  };
}

/** The reference: the same records piped from a topic. */
function fromTopic(records: readonly View[] = views) {
  const driver = new TestDriver(topology((b) => b.stream('views', Consumed.with(Serdes.String(), parquetRowSerde<View>()))));
  const input = driver.createInputTopic('views', Serdes.String(), parquetRowSerde<View>());
  for (const v of records) input.pipeInput(v.user, v, v.ts.getTime());
  return outputs(driver);
}

const options = { keyColumns: ['user'], timestampColumn: 'ts', columns: ['user', 'page', 'n', 'ts'] } as const;

async function readAll<K, V>(source: ReturnType<typeof parquetSource<K, V>>, position?: string) {
  const reader = await source.open({ applicationId: 'app', position });
  const batches: { records: readonly SourceRecord<K, V>[]; position: string }[] = [];
  for (let b = await reader.read(); b; b = await reader.read()) batches.push(b);
  await reader.close();
  return batches;
}

describe('parquetSource', () => {
  it('gives a topology the same output as the same records piped from a topic', async () => {
    const dir = await files();
    const driver = new TestDriver(topology((b) => b.stream(parquetSource<string, View>(dir, options))));
    await driver.runSources();
    const got = outputs(driver);
    expect(got.mapped).toHaveLength(40);
    expect(got.dropped.late).toBeGreaterThan(0);
    expect(got).toEqual(fromTopic());
  });

  it('is also builder.parquetSource once @weir/parquet is imported, and describe() names it', async () => {
    const dir = await files();
    const builder = new StreamsBuilder();
    builder.parquetSource<string, View>(dir, { ...options, name: 'archive' }).to('out');
    const topologyOut = builder.build();
    expect(topologyOut.describe()).toContain(`Source: KSTREAM-SOURCE-0000000000 (external: parquet ${dir})\n      --> KSTREAM-SINK-0000000001`);
    const driver = new TestDriver(topologyOut);
    await driver.runSources();
    const out = driver.createOutputTopic('out', Serdes.String(), parquetRowSerde<View>()).readRecordsToList();
    expect(out.map((r) => r.value)).toEqual(views);
    expect(out.map((r) => r.timestamp)).toEqual(views.map((v) => v.ts.getTime()));
  });

  it("lists its position topic apart from the topology's repartition and outbox topics", async () => {
    const builder = new StreamsBuilder();
    builder
      .parquetSource<string, View>(await files(), { ...options, name: 'archive' })
      .groupBy((_user, v) => v.page, Grouped.with(Serdes.String(), parquetRowSerde<View>()))
      .count()
      .toStream()
      .mapValues((n) => BigInt(n ?? 0))
      .toParquet(tempDir(), { name: 'pages', valueSerde: Serdes.Int64() });
    const topics = builder.build().internalTopics('app');
    expect(topics.repartition).toEqual([expect.stringMatching(/^app-.*-repartition$/)]);
    expect(topics.outbox).toEqual(['app-pages-outbox']);
    expect(topics.position).toEqual([expect.stringMatching(/^app-.*-position$/)]);
  });

  it('reads files in path order, row group by row group, only the columns used', async () => {
    const dir = await files();
    const batches = await readAll(parquetSource(dir, { keyColumns: ['user', 'page'], columns: ['n'], batchRows: 100 }));
    // 25 rows in groups of 7, then 15: a batch never spans row groups.
    expect(batches.map((b) => b.records.length)).toEqual([7, 7, 7, 4, 7, 7, 1]);
    const first = batches.flatMap((b) => b.records)[0];
    expect(first).toEqual({ key: { user: 'u0', page: '/p0' }, value: { n: 0n }, timestamp: 0 });
  });

  it('resumes after a committed position with exactly the records not yet read', async () => {
    const dir = await files();
    const source = parquetSource<string, View>(dir, { ...options, batchRows: 3 });
    const all = (await readAll(source)).flatMap((b) => b.records);
    expect(all).toHaveLength(40);
    for (const cut of [0, 4, 8, 13]) {
      const head = (await readAll(source)).slice(0, cut + 1);
      const rest = await readAll(source, head.at(-1)!.position);
      expect([...head.flatMap((b) => b.records), ...rest.flatMap((b) => b.records)]).toEqual(all);
    }
    // Positions are short: they ride in Kafka's offset-commit metadata.
    expect((await readAll(source))[0]!.position).toBe('{"f":"a-first.parquet","g":0,"r":3}');
  });

  it('takes event time from a bigint or number column, and from the commit time of a table file without one', async () => {
    const dir = tempDir();
    const s: TableSchema = [Columns.string('k'), Columns.int64('at'), Columns.double('when', { nullable: true })];
    await writeParquetFile(path.join(dir, 'f.parquet'), s, [
      { k: 'a', at: 5_000n, when: 7 },
      { k: 'b', at: 6_000n, when: null },
    ]);
    expect((await readAll(parquetSource(dir, { timestampColumn: 'at' })))[0]!.records.map((r) => r.timestamp)).toEqual([5_000, 6_000]);
    // A null event time is -1: the task drops and counts the record, as Kafka Streams does an invalid timestamp.
    expect((await readAll(parquetSource(dir, { timestampColumn: 'when' })))[0]!.records.map((r) => r.timestamp)).toEqual([7, -1]);
    expect((await readAll(parquetSource(dir)))[0]!.records.map((r) => r.timestamp)).toEqual([0, 0]);

    const table = tempDir();
    const writer = await TableWriter.open(table, { schema: s });
    const before = Date.now();
    await writer.write([{ k: 'c', at: 1n, when: 1 }]);
    const [timestamp] = (await readAll(parquetSource(table))).flatMap((b) => b.records.map((r) => r.timestamp));
    expect(timestamp).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(timestamp).toBeLessThanOrEqual(Date.now());
  });

  it('reads a Weir table in commit order, pins the version in its position and reports the offsets its commits end at', async () => {
    const table = tempDir();
    const writer = await TableWriter.open(table, { schema });
    await writer.write(views.slice(0, 10).map(row), { sources: { 'views:0': { from: '0', to: '10' } } });
    await writer.write(views.slice(10, 16).map(row), { sources: { 'views:0': { from: '10', to: '16' } } });
    const source = parquetSource<string, View>(table, options);
    expect(await source.followingOffsets?.()).toEqual({ 'views:0': '16' });
    const batches = await readAll(source);
    expect(batches.flatMap((b) => b.records.map((r) => r.value))).toEqual(views.slice(0, 16));
    const firstPosition = batches[0]!.position;
    expect(JSON.parse(firstPosition).v).toBe(1);
    // A commit after the position was taken is not read on resume: the snapshot is the one started on.
    await writer.write(views.slice(16, 20).map(row), { sources: { 'views:0': { from: '16', to: '20' } } });
    const resumed = await readAll(source, firstPosition);
    expect(resumed.flatMap((b) => b.records.map((r) => r.value))).toEqual(views.slice(batches[0]!.records.length, 16));
  });

  it('refuses at start a file that lacks a declared column or has it with another type, naming the column', async () => {
    const dir = await files();
    await expect(readAll(parquetSource(dir, { columns: ['user', 'missing'] }))).rejects.toThrow(
      'Column "missing" is missing from Parquet file a-first.parquet',
    );
    await expect(readAll(parquetSource(dir, { columns: [Columns.string('user'), Columns.int32('n')] }))).rejects.toThrow(
      'Declared column "n" is INT32 but Parquet file a-first.parquet has it as INT64',
    );
    await expect(readAll(parquetSource(dir, { timestampColumn: 'time' }))).rejects.toThrow('Column "time" is missing from Parquet file a-first.parquet');
  });

  it('names a bad file, or skips and reports it with skipBadFiles', async () => {
    const dir = await files();
    writeFileSync(path.join(dir, 'c-broken.parquet'), 'PAR1 this is not parquet');
    await expect(readAll(parquetSource(dir, options))).rejects.toThrow('bad Parquet file c-broken.parquet');
    const reported: string[] = [];
    const batches = await readAll(parquetSource(dir, { ...options, skipBadFiles: true, onBadFile: (e) => reported.push(e.file) }));
    expect(batches.flatMap((b) => b.records)).toHaveLength(40);
    expect(reported).toEqual(['c-broken.parquet']);
  });

  it('backfills a topic from an archived table, then reads the topic from where the archive ends: the output of the whole topic', async () => {
    const table = tempDir();
    const writer = await TableWriter.open(table, { schema });
    const split = 23;
    await writer.write(views.slice(0, split).map(row), { sources: { 'views:0': { from: '0', to: String(split) } } });
    const driver = new TestDriver(
      topology((b) =>
        b.stream('views', {
          consumed: Consumed.with(Serdes.String(), parquetRowSerde<View>()),
          backfill: parquetSource<string, View>(table, options),
        }),
      ),
    );
    await driver.runSources();
    const input = driver.createInputTopic('views', Serdes.String(), parquetRowSerde<View>());
    // The topic holds everything; the part the archive holds (offsets below 23) is not read again.
    for (const v of views) input.pipeInput(v.user, v, v.ts.getTime());
    expect(outputs(driver)).toEqual(fromTopic());
  });
});
