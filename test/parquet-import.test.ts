import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { avroSerde, Columns, type TableSchema } from '@weir/avro';
import { TableWriter, writeParquetFile } from '@weir/parquet';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from './support/datasets.js';
import { connectedAdmin, kafkaBrokers, uniqueName, uniqueTopic } from './support/kafka.js';
import { readTopic } from './support/topics.js';

/** The built CLI: what users run. */
const CLI = fileURLToPath(new URL('../packages/cli/dist/cli.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function weir(args: readonly string[], timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, WEIR_DEBUG: '' } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

const schema: TableSchema = [
  Columns.int64('id'),
  Columns.string('user'),
  Columns.timestampMillis('ts'),
  Columns.decimal('amount', { precision: 12, scale: 2 }),
  Columns.string('note', { nullable: true }),
];
// In the past: brokers refuse record timestamps more than an hour ahead of their clock (Kafka 4 default).
const T0 = Date.UTC(2026, 10, 24, 10);

function row(id: number) {
  return {
    id: BigInt(id) + 9_007_199_254_740_993n, // past 2^53: a JS number would round it
    user: `user-${id % 13}`,
    ts: new Date(T0 + id * 1000),
    amount: `${Math.floor(id / 3)}.${String(id % 100).padStart(2, '0')}`,
    note: id % 5 === 0 ? null : `n${id}`,
  };
}

/** The JSON value `weir import` writes for a row (bigint as a JSON number, Date as ISO 8601). */
function jsonOf(r: ReturnType<typeof row>): string {
  return `{"id":${r.id},"user":${JSON.stringify(r.user)},"ts":${JSON.stringify(r.ts.toISOString())},"amount":${JSON.stringify(r.amount)},"note":${JSON.stringify(r.note)}}`;
}

/** A key or value as text (`''` for null). */
const text = (bytes: Buffer | null | undefined): string => bytes?.toString() ?? '';

function allMessages(byPartition: Map<number, KafkaMessage[]>): KafkaMessage[] {
  return [...byPartition.values()].flat();
}

/**
 * The topic's messages read `read_committed` once at least `expected` are visible. A transaction's
 * commit returns before the broker has written the commit markers into every partition, so right
 * after `weir import` exits a read_committed reader may briefly see fewer records (never more).
 */
async function committedMessages(kafka: Kafka, admin: Admin, topic: string, expected: number, timeoutMs = 30_000): Promise<KafkaMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const messages = allMessages(await readTopic(kafka, admin, topic));
    if (messages.length >= expected || Date.now() > deadline) return messages;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Files `part-<i>.parquet` of `perFile` rows each (ids consecutive), row groups of `groupRows`. */
async function writeFiles(dir: string, files: number, perFile: number, groupRows: number): Promise<void> {
  for (let f = 0; f < files; f++) {
    const rows = Array.from({ length: perFile }, (_, i) => row(f * perFile + i));
    await writeParquetFile(join(dir, `part-${String(f).padStart(2, '0')}.parquet`), schema, rows, { rowGroupSize: groupRows });
  }
}

describe('weir import (real broker)', () => {
  const connected = connectedAdmin();
  const brokers = kafkaBrokers().join(',');

  it('imports a Weir table: every row once, keyed, timestamped, JSON values without precision loss', async () => {
    const table = await mkdtemp(join(tmpdir(), 'weir-import-table-'));
    const writer = await TableWriter.open(table, { schema, rowGroupSize: 40 });
    const ids = Array.from({ length: 300 }, (_, i) => i);
    await writer.write(ids.slice(0, 120).map(row), { sources: { 'src:0': { from: '0', to: '120' } } });
    await writer.write(ids.slice(120).map(row), { sources: { 'src:0': { from: '120', to: '300' } } });
    const topic = uniqueTopic('import-table');
    const run = await weir(['import', table, '--topic', topic, '--partitions', '3', '--key', 'user', '--timestamp', 'ts', '--brokers', brokers]);
    expect(run.stderr).not.toContain('weir: ');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^weir import: 2 files, 300 rows, \\d+ bytes read, \\d+ bytes produced, [\\d.]+ s \\(\\d+ rows/s\\) into topic ${topic}\\n$`));
    // Not a terminal: plain progress lines on stderr.
    expect(run.stderr).toMatch(/^weir import: 300\/300 rows \(100\.0%\), \d+ rows\/s, ETA 0:00$/m);
    const messages = await committedMessages(connected.kafka, connected.admin, topic, 300);
    expect(messages).toHaveLength(300);
    // The summary's bytes produced are the keys and values written.
    const produced = messages.reduce((sum, m) => sum + (m.key?.length ?? 0) + (m.value?.length ?? 0), 0);
    expect(run.stdout).toContain(` bytes read, ${produced} bytes produced, `);
    const byValue = new Map(messages.map((m) => [text(m.value), m]));
    for (const id of ids) {
      const expected = row(id);
      const message = byValue.get(jsonOf(expected));
      expect(message, `row ${id}`).toBeDefined();
      expect(text(message?.key)).toBe(expected.user);
      expect(message?.timestamp).toBe(String(expected.ts.getTime()));
    }
    // Records of one key keep the file order within their partition.
    const parts = await readTopic(connected.kafka, connected.admin, topic);
    for (const list of parts.values()) {
      const perUser = new Map<string, bigint[]>();
      for (const m of list) {
        const id = BigInt(/"id":(\d+)/.exec(text(m.value))?.[1] ?? '-1');
        perUser.set(text(m.key), [...(perUser.get(text(m.key)) ?? []), id]);
      }
      for (const seq of perUser.values()) expect([...seq].sort((a, b) => (a < b ? -1 : 1))).toEqual(seq);
    }
    // A rerun finds the position at the end: nothing is imported twice.
    const again = await weir(['import', table, '--topic', topic, '--key', 'user', '--brokers', brokers]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('weir import: resuming at ');
    expect(again.stderr).toContain('(300 rows imported before, 0 to go)');
    expect(again.stdout).toMatch(/^weir import: 0 files, 0 rows, /);
    expect(await committedMessages(connected.kafka, connected.admin, topic, 300)).toHaveLength(300);
  });

  it('imports the files a glob matches, in path order, as Avro with a derived schema and a composite key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-import-glob-'));
    await writeFiles(dir, 4, 50, 20);
    writeFileSync(join(dir, 'notes.txt'), 'not matched');
    const topic = uniqueTopic('import-glob');
    const run = await weir([
      'import',
      join(dir, 'part-0[13].parquet'),
      '--topic',
      topic,
      '--partitions',
      '1',
      '--format',
      'avro',
      '--key',
      'user,id',
      '--position-topic',
      uniqueName('positions'),
      '--brokers',
      brokers,
    ]);
    expect(run.stderr).not.toContain('weir: ');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^weir import: 2 files, 100 rows, /);
    const messages = await committedMessages(connected.kafka, connected.admin, topic, 100);
    const serde = avroSerde<Record<string, unknown>>({
      type: 'record',
      name: 'r',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'user', type: 'string' },
        { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
        { name: 'note', type: ['null', 'string'], default: null },
      ],
    });
    // One partition: the topic holds the files in path order, rows in file order.
    const expected = [...Array.from({ length: 50 }, (_, i) => 50 + i), ...Array.from({ length: 50 }, (_, i) => 150 + i)].map(row);
    expect(messages.map((m) => serde.deserialize(topic, m.value))).toEqual(expected);
    expect(messages.map((m) => text(m.key))).toEqual(expected.map((r) => `{"user":${JSON.stringify(r.user)},"id":${r.id}}`));
  });

  it('killed with SIGKILL at random moments and rerun, leaves every row in the topic exactly once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-import-kill-'));
    // Enough rows that six kills cannot finish them: a run killed 1.5 s into its import has
    // imported at most about 60k rows (imports run at up to 40k rows/s here).
    const files = 8;
    const perFile = 45_000;
    await writeFiles(dir, files, perFile, 4_000);
    const topic = uniqueTopic('import-kill');
    await connected.admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const positions = uniqueName('positions');
    const args = [CLI, 'import', dir, '--topic', topic, '--key', 'user', '--transaction-rows', '2000', '--position-topic', positions, '--brokers', brokers];
    const random = seededRandom(8);
    let kills = 0;
    const outputs: string[] = [];
    for (let attempt = 0; attempt < 12 && kills < 6; attempt++) {
      const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout?.on('data', (d: Buffer) => {
        output += d.toString();
      });
      child.stderr?.on('data', (d: Buffer) => {
        output += d.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      // Every third run is killed during start-up (connecting, fencing, reading the position), the
      // others at a random moment of the import itself: after the line that starts it, so that the
      // test does not depend on how fast a loaded machine starts a process.
      const early = attempt % 3 === 2;
      if (!early) {
        const started = Date.now();
        while (!/ to import into topic | to go\)/.test(output) && child.exitCode === null && Date.now() - started < 60_000) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      const delay = Math.floor(random() * (early ? 800 : 1_500));
      const killed = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), delay)),
      ]);
      if (killed) {
        child.kill('SIGKILL');
        await exited;
        kills++;
        outputs.push(`killed ${early ? 'during start-up' : 'while importing'}, after ${delay} ms: ${output.trim().split('\n').slice(-2).join(' | ')}`);
        continue;
      }
      outputs.push(`exited ${child.exitCode}: ${output.trim()}`);
      expect(child.exitCode, outputs.join('\n')).toBe(0);
    }
    expect(kills, outputs.join('\n')).toBeGreaterThanOrEqual(5);
    // The final run completes whatever is left.
    const last = await weir(args.slice(1));
    expect(last.code, last.stderr).toBe(0);
    const messages = await committedMessages(connected.kafka, connected.admin, topic, files * perFile);
    const counts = new Map<string, number>();
    for (const m of messages) counts.set(text(m.value), (counts.get(text(m.value)) ?? 0) + 1);
    const duplicates = [...counts].filter(([, n]) => n > 1);
    expect(duplicates.slice(0, 3), outputs.join('\n')).toEqual([]);
    expect(messages).toHaveLength(files * perFile);
    for (let id = 0; id < files * perFile; id += 997) expect(counts.get(jsonOf(row(id))), `row ${id}`).toBe(1);
    // The kills really interrupted imports part-way: some run resumed with rows done before.
    expect(outputs.join('\n')).toMatch(/resuming at part-\d+\.parquet row group \d+ row \d+ \([1-9]\d* rows imported before/);
  }, 600_000);

  it('stops after the current transaction on SIGTERM (exit 1), and a rerun finishes: every row once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-import-term-'));
    await writeFiles(dir, 4, 15_000, 5_000);
    const topic = uniqueTopic('import-term');
    const args = ['import', dir, '--topic', topic, '--partitions', '2', '--transaction-rows', '2000', '--position-topic', uniqueName('positions'), '--brokers', brokers];
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // The first progress line (a tenth of the rows) says transactions are being committed.
    const deadline = Date.now() + 60_000;
    while (!/rows \(\d+\.\d%\)/.test(stderr) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGTERM');
    expect(await exited).toBe(1);
    expect(stderr).toContain('weir import: stopping after the current transaction (again to abort it)');
    const interrupted = /weir: interrupted after (\d+) rows \(\d+ in all\) at part-\d+\.parquet row group \d+ row \d+; rerun the same command to resume/.exec(stderr);
    expect(interrupted, stderr).not.toBeNull();
    const done = Number(interrupted?.[1]);
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(60_000);
    const rerun = await weir(args);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toContain(`(${done} rows imported before, ${60_000 - done} to go)`);
    const values = (await committedMessages(connected.kafka, connected.admin, topic, 60_000)).map((m) => text(m.value));
    expect(values).toHaveLength(60_000);
    expect(new Set(values).size).toBe(60_000);
  });

  it('fails on a bad file, naming it (exit 1); with --skip-bad-files reports it and imports the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-import-bad-'));
    await writeFiles(dir, 2, 30, 10);
    writeFileSync(join(dir, 'part-00b.parquet'), 'PAR1 this is not really parquet');
    const topic = uniqueTopic('import-bad');
    const failed = await weir(['import', dir, '--topic', topic, '--partitions', '1', '--brokers', brokers]);
    expect(failed).toEqual({
      code: 1,
      stdout: '',
      stderr: 'weir: bad Parquet file part-00b.parquet: truncated (no PAR1 magic at the end; 31 bytes) (--skip-bad-files to skip it)\n',
    });
    const skipped = await weir(['import', dir, '--topic', topic, '--partitions', '1', '--skip-bad-files', '--no-progress', '--brokers', brokers]);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toBe(
      'weir import: skipping bad Parquet file part-00b.parquet: truncated (no PAR1 magic at the end; 31 bytes)\n' +
        `weir import: 60 rows in 2 files to import into topic ${topic}\n`,
    );
    expect(skipped.stdout).toMatch(/^weir import: 2 files, 60 rows, .* into topic \S+, 1 bad file skipped\n$/);
    const messages = await committedMessages(connected.kafka, connected.admin, topic, 60);
    expect(messages.map((m) => text(m.value))).toEqual(Array.from({ length: 60 }, (_, i) => jsonOf(row(i))));
  });

  it('imports only --columns, keyed and timestamped by columns left out of the value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-import-columns-'));
    await writeFiles(dir, 1, 20, 10);
    const topic = uniqueTopic('import-columns');
    const run = await weir(['import', dir, '--topic', topic, '--partitions', '1', '--columns', 'id,amount', '--key', 'user', '--timestamp', 'ts', '--brokers', brokers]);
    expect(run.code, run.stderr).toBe(0);
    const messages = await committedMessages(connected.kafka, connected.admin, topic, 20);
    expect(messages.map((m) => [text(m.key), text(m.value), m.timestamp])).toEqual(
      Array.from({ length: 20 }, (_, i) => row(i)).map((r) => [r.user, `{"id":${r.id},"amount":${JSON.stringify(r.amount)}}`, String(r.ts.getTime())]),
    );
  });

  it('refuses a topic that does not exist unless asked to create it (exit 1)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-import-notopic-'));
    await writeFiles(dir, 1, 5, 5);
    const topic = uniqueTopic('import-missing');
    const run = await weir(['import', dir, '--topic', topic, '--brokers', brokers]);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: `weir: topic "${topic}" does not exist: create it, or pass --partitions <n> to have weir import create it\n`,
    });
  });
});
