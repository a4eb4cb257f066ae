import { ParquetWriter, ByteWriter } from 'hyparquet-writer';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { writeFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';

const schema = [
  { name: 'root', num_children: 10 },
  { name: 's', type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type: 'REQUIRED' },
  { name: 'i64', type: 'INT64', repetition_type: 'OPTIONAL' },
  { name: 'dec', type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, converted_type: 'DECIMAL', precision: 38, scale: 4, logical_type: { type: 'DECIMAL', precision: 38, scale: 4 }, repetition_type: 'REQUIRED' },
  { name: 'dec9', type: 'INT32', converted_type: 'DECIMAL', precision: 9, scale: 2, logical_type: { type: 'DECIMAL', precision: 9, scale: 2 }, repetition_type: 'REQUIRED' },
  { name: 'tmicro', type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' }, repetition_type: 'REQUIRED' },
  { name: 'd', type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' }, repetition_type: 'REQUIRED' },
  { name: 'u', type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, logical_type: { type: 'UUID' }, repetition_type: 'REQUIRED' },
  { name: 'tags', converted_type: 'LIST', logical_type: { type: 'LIST' }, repetition_type: 'OPTIONAL', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'm', converted_type: 'MAP', logical_type: { type: 'MAP' }, repetition_type: 'OPTIONAL', num_children: 1 },
  { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
  { name: 'key', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'value', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
  { name: 'rec', repetition_type: 'OPTIONAL', num_children: 2 },
  { name: 'a', type: 'INT64', repetition_type: 'REQUIRED' },
  { name: 'b', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
];
const codec = process.argv[2] ?? 'SNAPPY';
const w = new ByteWriter();
const pq = new ParquetWriter({ writer: w, schema, codec, compressors: { GZIP: (b) => zlib.gzipSync(b), BROTLI: (b) => zlib.brotliCompressSync(b) }, kvMetadata: [{ key: 'weir.version', value: '0.1.0' }] });
pq.write({ rowGroupSize: 2, columnData: [
  { name: 's', data: ['a', 'b', 'a'], encoding: 'RLE_DICTIONARY' },
  { name: 'i64', data: [-(2n**63n), null, 2n**63n-1n] },
  { name: 'dec', data: [-(10n**38n - 1n), 0n, 12345n] },
  { name: 'dec9', data: [-999999999n, 0n, 1250n] },
  { name: 'tmicro', data: [1n, -1n, 1700000000123456n] },
  { name: 'd', data: [0, -1, 20000] },
  { name: 'u', data: ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '123e4567-e89b-12d3-a456-426614174000'] },
  { name: 'tags', data: [['x', null], [], null] },
  { name: 'm', data: [[{ key: 1, value: 1.5 }, { key: 2, value: null }], [], null] },
  { name: 'rec', data: [{ a: 1n, b: new Uint8Array([1,2]) }, null, { a: 3n, b: null }] },
]});
pq.finish();
const buf = w.getBuffer();
writeFileSync('/tmp/proto.parquet', new Uint8Array(buf));
const md = parquetMetadata(buf, { parsers: { timestampFromMicroseconds: (x) => x } });
console.log(md.row_groups.map(rg => rg.columns.map(c => [c.meta_data.path_in_schema.join('.'), c.meta_data.statistics?.min_value, c.meta_data.statistics?.max_value, c.meta_data.encodings.join('/')])));
const patched = { ...md, schema: md.schema.map(e => e.converted_type === 'DECIMAL' ? { ...e, converted_type: undefined, logical_type: undefined } : e) };
const rows = await parquetReadObjects({ file: buf, metadata: patched, compressors, utf8: false, parsers: { timestampFromMicroseconds: (x) => x } });
console.dir(rows, { depth: 5 });
const inst = await DuckDBInstance.create(':memory:');
const c = await inst.connect();
const r = await c.runAndReadAll("select * from read_parquet('/tmp/proto.parquet')");
console.dir(r.getRowObjectsJS(), { depth: 5 });
console.log(r.columnNames(), r.columnTypes().map(String));
const m = await c.runAndReadAll("select row_group_id, path_in_schema, stats_min, stats_max, stats_min_value, stats_max_value, compression, encodings from parquet_metadata('/tmp/proto.parquet')");
console.log(m.getRowObjectsJS());
const kv = await c.runAndReadAll("select * from parquet_kv_metadata('/tmp/proto.parquet')");
console.log(kv.getRowObjectsJS());
