import path from 'node:path';
import { Columns, type TableSchema } from '@weir/avro';
import { TableWriter } from '@weir/parquet';

/** The schema of the test table: one column of each kind the CLI prints specially. */
export const schema: TableSchema = [
  Columns.string('user'),
  Columns.timestampMillis('window_start'),
  Columns.int64('count'),
  Columns.double('score', { nullable: true }),
  Columns.string('note', { nullable: true }),
  Columns.boolean('active'),
  Columns.date('day'),
  Columns.timestampMicros('seen_at', { nullable: true }),
];

const at = (iso: string) => new Date(iso);

/**
 * Writes the test table `counts` under `root` in two commits of three rows each (source offsets
 * `counts-outbox:0` [0, 3) and [3, 6)), and returns its directory.
 */
export async function countsTable(root: string, name = 'counts'): Promise<string> {
  const dir = path.join(root, name);
  const writer = await TableWriter.open(dir, { schema, name, keyColumns: ['user'] });
  await writer.write(
    [
      { user: 'ada', window_start: at('2026-11-26T10:00:00Z'), count: 3n, score: 1.5, note: 'first, "quoted"', active: true, day: at('2026-11-26'), seen_at: 1795687200123456n },
      { user: 'bob', window_start: at('2026-11-26T10:00:00Z'), count: 1n, score: null, note: null, active: false, day: at('2026-11-26'), seen_at: null },
      { user: 'cy', window_start: at('2026-11-26T10:00:00Z'), count: 5n, score: 0.25, note: 'line\nbreak', active: true, day: at('2026-11-26'), seen_at: null },
    ],
    { sources: { 'counts-outbox:0': { from: '0', to: '3' } } },
  );
  await writer.write(
    [
      { user: 'ada', window_start: at('2026-11-26T11:00:00Z'), count: 12345678901234567n, score: -1, note: null, active: true, day: at('2026-11-26'), seen_at: null },
      { user: 'bob', window_start: at('2026-11-26T11:00:00Z'), count: 2n, score: 2.5, note: 'x', active: true, day: at('2026-11-26'), seen_at: null },
      { user: 'dee', window_start: at('2026-11-26T11:00:00Z'), count: 7n, score: null, note: null, active: false, day: at('2026-11-26'), seen_at: null },
    ],
    { sources: { 'counts-outbox:0': { from: '3', to: '6' } } },
  );
  return dir;
}
