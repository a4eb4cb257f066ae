import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { avroSerde, avroToColumns, Columns, columnsToAvro, type TableSchema } from '@weir/avro';
import { writeParquetFile } from '@weir/parquet';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { recordEncoder } from '../src/internal/import-records.js';
import { createProgress, formatDuration } from '../src/internal/progress.js';
import { tempDir, weir } from './helpers/cli.js';

const schema: TableSchema = [
  Columns.string('user'),
  Columns.int64('n'),
  Columns.timestampMillis('ts'),
  Columns.timestampMicros('us'),
  Columns.date('day'),
  Columns.decimal('amount', { precision: 20, scale: 3 }),
  Columns.bytes('raw', { nullable: true }),
  Columns.uuid('id'),
  Columns.record('address', [Columns.string('city'), Columns.int32('zip', { nullable: true })]),
  Columns.list('tags', Columns.string('element')),
  Columns.map('attrs', Columns.double('value', { nullable: true })),
];

const row = {
  user: 'ada',
  n: 9_007_199_254_740_993n,
  ts: new Date('2026-11-26T10:00:00.123Z'),
  us: BigInt(Date.parse('2026-11-26T10:00:00.123Z')) * 1000n + 456n,
  day: new Date('2026-11-26T00:00:00Z'),
  amount: '-12345678901234567.125',
  raw: new Uint8Array([0, 255]),
  id: '00000000-0000-4000-8000-000000000001',
  address: { city: 'Zürich', zip: null },
  tags: ['a', 'b'],
  attrs: { x: 1.5, y: null },
};

describe('import record encoding', () => {
  it('writes JSON values as weir query does: bigints with every digit, ISO timestamps, decimal strings, hex bytes', () => {
    const { encode } = recordEncoder({ columns: schema, format: 'json', topic: 't' });
    expect(encode(row).value.toString()).toBe(
      '{"user":"ada","n":9007199254740993,"ts":"2026-11-26T10:00:00.123Z","us":"2026-11-26T10:00:00.123456Z","day":"2026-11-26",' +
        '"amount":"-12345678901234567.125","raw":"0x00ff","id":"00000000-0000-4000-8000-000000000001",' +
        '"address":{"city":"Zürich","zip":null},"tags":["a","b"],"attrs":{"x":1.5,"y":null}}',
    );
    expect(encode(row).key).toBeNull();
    expect(encode(row).timestamp).toBeUndefined();
  });

  it('keys by one column (its string form, bytes as bytes) or several (a JSON object)', () => {
    const one = recordEncoder({ columns: schema, keyColumns: ['n'], format: 'json', topic: 't' }).encode;
    expect(one(row).key).toBe('9007199254740993');
    expect(recordEncoder({ columns: schema, keyColumns: ['ts'], format: 'json', topic: 't' }).encode(row).key).toBe('2026-11-26T10:00:00.123Z');
    expect(recordEncoder({ columns: schema, keyColumns: ['raw'], format: 'json', topic: 't' }).encode(row).key).toEqual(Buffer.from([0, 255]));
    expect(recordEncoder({ columns: schema, keyColumns: ['raw'], format: 'json', topic: 't' }).encode({ ...row, raw: null }).key).toBeNull();
    const two = recordEncoder({ columns: schema, keyColumns: ['user', 'n'], format: 'json', topic: 't' }).encode;
    expect(two(row).key).toBe('{"user":"ada","n":9007199254740993}');
  });

  it('keys and timestamps by columns left out of the value', () => {
    const { encode } = recordEncoder({ columns: schema, valueColumns: ['n', 'tags'], keyColumns: ['user'], timestampColumn: 'ts', format: 'json', topic: 't' });
    expect(encode(row)).toEqual({ key: 'ada', value: Buffer.from('{"n":9007199254740993,"tags":["a","b"]}'), timestamp: String(row.ts.getTime()) });
    const avro = recordEncoder({ columns: schema, valueColumns: ['n'], keyColumns: ['user'], format: 'avro', topic: 't' });
    expect(avro.avroSchema).toEqual({ type: 'record', name: 't', fields: [{ name: 'n', type: 'long' }] });
    expect(avroSerde(avro.avroSchema!).deserialize('t', avro.encode(row).value)).toEqual({ n: row.n });
  });

  it('takes the record timestamp from a timestamp, date or integer column, in epoch milliseconds', () => {
    const at = (column: string, value: unknown) =>
      recordEncoder({ columns: schema, timestampColumn: column, format: 'json', topic: 't' }).encode({ ...row, [column]: value }).timestamp;
    expect(at('ts', row.ts)).toBe(String(row.ts.getTime()));
    expect(at('us', row.us)).toBe(String(Date.parse('2026-11-26T10:00:00.123Z')));
    expect(at('us', -1n)).toBe('-1');
    expect(at('day', row.day)).toBe(String(Date.UTC(2026, 10, 26)));
    expect(at('n', 1_764_151_200_000n)).toBe('1764151200000');
    expect(() => at('ts', null)).toThrow('--timestamp column "ts" is null');
  });

  it('refuses unknown key and timestamp columns and a timestamp column without an instant', () => {
    expect(() => recordEncoder({ columns: schema, keyColumns: ['nope'], format: 'json', topic: 't' })).toThrow(
      'unknown column "nope" in --key; the source has columns user, n, ts, us, day, amount, raw, id, address, tags, attrs',
    );
    expect(() => recordEncoder({ columns: schema, timestampColumn: 'user', format: 'json', topic: 't' })).toThrow(
      '--timestamp column "user" is STRING: expected TIMESTAMP_MILLIS, TIMESTAMP_MICROS, DATE, or INT64/INT32 epoch milliseconds',
    );
  });

  it('derives an Avro schema that maps back to the same columns, and writes rows the Avro serde reads back', () => {
    const avro = columnsToAvro(schema, 'clicks-topic');
    const back = avroToColumns(avro);
    // Avro map keys are strings; Avro has no doc-less difference otherwise.
    expect(back).toEqual(schema);
    const { encode } = recordEncoder({ columns: schema, format: 'avro', topic: 'clicks-topic' });
    const decoded = avroSerde<Record<string, unknown>>(avro).deserialize('clicks-topic', encode(row).value) as Record<string, unknown>;
    expect({ ...decoded, raw: new Uint8Array(decoded.raw as Buffer) }).toEqual(row);
  });

  it('refuses a column name Avro cannot have as a usage error that points to --schema', () => {
    const encode = () => recordEncoder({ columns: [Columns.string('user-name')], format: 'avro', topic: 't' });
    expect(encode).toThrow(UsageError);
    expect(encode).toThrow(/^column "user-name" is not a valid Avro field name: .*; pass an Avro schema with --schema and rename it upstream$/);
  });
});

describe('import progress', () => {
  function capture() {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (d: Buffer) => {
      text += d.toString();
    });
    return { stream, text: () => text };
  }

  it('draws one line in place on a terminal, with rows, rows/s and ETA, and clears it', () => {
    let now = 0;
    const out = capture();
    const progress = createProgress(out.stream, 1000, { tty: true, now: () => now });
    now = 2000;
    progress.update(250);
    now = 2050; // within 100 ms: not redrawn
    progress.update(260);
    now = 4000;
    progress.update(500);
    progress.finish();
    expect(out.text()).toBe(
      '\r[######..................]  25.0%  250/1,000 rows  125 rows/s  ETA 0:06\x1b[K' +
        '\r[############............]  50.0%  500/1,000 rows  125 rows/s  ETA 0:04\x1b[K' +
        '\r\x1b[K',
    );
  });

  it('writes plain lines elsewhere, one per tenth of the rows or per interval', () => {
    let now = 0;
    const out = capture();
    const progress = createProgress(out.stream, 1000, { tty: false, now: () => now, intervalMs: 10_000 });
    now = 1000;
    progress.update(50); // neither a new tenth nor the interval
    progress.update(100);
    now = 2000;
    progress.update(150);
    now = 12_500;
    progress.update(160);
    expect(out.text()).toBe(
      'weir import: 100/1000 rows (10.0%), 100 rows/s, ETA 0:09\n' + 'weir import: 160/1000 rows (16.0%), 13 rows/s, ETA 1:06\n',
    );
    expect(formatDuration(3725)).toBe('1:02:05');
  });
});

describe('weir import usage errors (exit 2, before any broker is contacted)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
    await writeParquetFile(path.join(dir, 'a.parquet'), [Columns.string('user'), Columns.int64('n')], [{ user: 'ada', n: 1n }]);
    writeFileSync(path.join(dir, 'other.avsc'), JSON.stringify({ type: 'record', name: 'r', fields: [{ name: 'country', type: 'string' }] }));
  });
  // A broker address nothing listens on: a usage error must come before any connection attempt.
  const noBroker = ['--brokers', '127.0.0.1:1'];

  const cases: [string, () => string[], () => string][] = [
    ['no --topic', () => ['import', dir], () => "weir: required option '-t, --topic <topic>' not specified\n"],
    [
      'an unknown format',
      () => ['import', dir, '-t', 'x', '--format', 'xml'],
      () => "weir: option '-f, --format <format>' argument 'xml' is invalid. Allowed choices are json, avro.\n",
    ],
    ['a missing path', () => ['import', path.join(dir, 'nope'), '-t', 'x'], () => `weir: Parquet source ${path.join(dir, 'nope')}: no such file or directory\n`],
    ['a glob matching nothing', () => ['import', `${dir}/*.pq`, '-t', 'x'], () => `weir: no Parquet files at ${dir}/*.pq\n`],
    ['an unknown key column', () => ['import', dir, '-t', 'x', '--key', 'usr'], () => 'weir: unknown column "usr" in --key; a.parquet has columns user, n\n'],
    [
      'a timestamp column of another type',
      () => ['import', dir, '-t', 'x', '--timestamp', 'user'],
      () => 'weir: --timestamp column "user" is STRING: expected TIMESTAMP_MILLIS, TIMESTAMP_MICROS, DATE, or INT64/INT32 epoch milliseconds\n',
    ],
    ['an unknown column in --columns', () => ['import', dir, '-t', 'x', '--columns', 'n,zzz'], () => 'weir: unknown column "zzz" in --columns; a.parquet has columns user, n\n'],
    ['--schema without --format avro', () => ['import', dir, '-t', 'x', '--schema', path.join(dir, 'other.avsc')], () => 'weir: --schema applies to --format avro only\n'],
    [
      'a schema file that does not exist',
      () => ['import', dir, '-t', 'x', '--format', 'avro', '--schema', path.join(dir, 'none.avsc')],
      () => `weir: --schema: cannot read ${path.join(dir, 'none.avsc')}: ENOENT\n`,
    ],
    [
      'a schema declaring a column the files lack',
      () => ['import', dir, '-t', 'x', '--format', 'avro', '--schema', path.join(dir, 'other.avsc')],
      () => 'weir: Declared column "country" is missing from Parquet file a.parquet\n',
    ],
    ['a version of plain files', () => ['import', dir, '-t', 'x', '--version', '2'], () => `weir: Parquet source ${dir}: a version applies to a Weir table only (no _weir_log/ here)\n`],
    [
      'a transaction of zero rows',
      () => ['import', dir, '-t', 'x', '--transaction-rows', '0'],
      () => "weir: option '--transaction-rows <n>' argument '0' is invalid. Expected an integer >= 1.\n",
    ],
  ];
  for (const [what, args, stderr] of cases) {
    it(`refuses ${what}`, async () => {
      expect(await weir([...args(), ...noBroker])).toEqual({ code: 2, stdout: '', stderr: stderr() });
    });
  }

  it('exits 1 with one line when no broker answers (kafkajs retries for about 10 s first)', async () => {
    const run = await weir(['import', dir, '-t', 'x', ...noBroker]);
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'weir: cannot reach Kafka brokers 127.0.0.1:1: Connection error: connect ECONNREFUSED 127.0.0.1:1\n' });
  }, 60_000);

  it('lists import in the help, with its options', async () => {
    const { code, stdout } = await weir(['import', '--help']);
    expect(code).toBe(0);
    for (const option of ['--topic', '--key', '--timestamp', '--format', '--schema', '--skip-bad-files', '--brokers', '--version']) expect(stdout).toContain(option);
    expect((await weir(['--help'])).stdout).toMatch(/^ {2}import /m);
  });
});
