import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, weir } from './helpers/cli.js';
import { countsTable } from './helpers/table.js';

let table: string;

beforeAll(async () => {
  table = await countsTable(tempDir());
});

describe('weir query', () => {
  it('prints every row and column as an aligned table with a row count', async () => {
    const { code, stdout, stderr } = await weir(['query', table, '--columns', 'user,count,score,note']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'user  count              score  note',
        '----  -----------------  -----  ---------------',
        'ada                   3    1.5  first, "quoted"',
        'bob                   1   NULL  NULL',
        'cy                    5   0.25  line\\nbreak',
        'ada   12345678901234567     -1  NULL',
        'bob                   2    2.5  x',
        'dee                   7   NULL  NULL',
        '(6 rows)',
        '',
      ].join('\n'),
    );
  });

  it('filters with --where, sorts with --order-by and limits with --limit', async () => {
    const { code, stdout } = await weir([
      'query',
      table,
      '--where',
      "window_start >= 2026-11-26T10:00:00Z and count > 2 and user != 'cy'",
      '--order-by',
      'count:desc',
      '--limit',
      '2',
      '--columns',
      'user,count',
      '--format',
      'json',
    ]);
    expect(code).toBe(0);
    expect(stdout).toBe('[\n{"user":"ada","count":12345678901234567},\n{"user":"dee","count":7}\n]\n');
  });

  it('prints json as one array: bigints as exact numbers, timestamps in ISO, dates as YYYY-MM-DD, null as null', async () => {
    const { code, stdout } = await weir(['query', table, '--where', "user = 'ada' and count = 3", '--format', 'json']);
    expect(code).toBe(0);
    expect(stdout).toBe(
      '[\n{"user":"ada","window_start":"2026-11-26T10:00:00.000Z","count":3,"score":1.5,"note":"first, \\"quoted\\"",' +
        '"active":true,"day":"2026-11-26","seen_at":"2026-11-26T10:00:00.123456Z"}\n]\n',
    );
    expect(JSON.parse(stdout)).toHaveLength(1);
  });

  it('prints an empty json array when nothing matches', async () => {
    const { code, stdout } = await weir(['query', table, '--where', 'count > 100000000000000000', '--format', 'json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([]);
  });

  it('prints csv with a header, RFC 4180 quoting and empty nulls, in --columns order', async () => {
    const { code, stdout } = await weir(['query', table, '--columns', 'note,user', '--format', 'csv', '--order-by', 'user,count']);
    expect(code).toBe(0);
    expect(stdout).toBe(['note,user', '"first, ""quoted""",ada', ',ada', ',bob', 'x,bob', '"line', 'break",cy', ',dee', ''].join('\n'));
  });

  it('supports in, not, or, is null and parentheses', async () => {
    const run = async (where: string) =>
      (await weir(['query', table, '--where', where, '--columns', 'user,count', '--order-by', 'user,count', '--format', 'csv'])).stdout;
    expect(await run("user in ('bob', 'dee')")).toBe('user,count\nbob,1\nbob,2\ndee,7\n');
    expect(await run("not (user in ('ada', 'bob') or count > 6)")).toBe('user,count\ncy,5\n');
    expect(await run('score is null and active = false')).toBe('user,count\nbob,1\ndee,7\n');
    expect(await run("(user = 'ada' or user = 'cy') and score > 0")).toBe('user,count\nada,3\ncy,5\n');
  });

  it('reads an older version with --version', async () => {
    const { code, stdout } = await weir(['query', table, '--version', '0', '--columns', 'user', '--format', 'csv']);
    expect(code).toBe(0);
    expect(stdout).toBe('user\nada\nbob\ncy\n');
  });
});

describe('weir query errors', () => {
  it('names a wrong path, exit 2', async () => {
    const missing = `${table}-missing`;
    expect(await weir(['query', missing])).toEqual({ code: 2, stdout: '', stderr: `weir: no such table directory: ${missing}\n` });
  });

  it('names a directory that holds no table, exit 2', async () => {
    const empty = tempDir();
    expect(await weir(['query', empty])).toEqual({ code: 2, stdout: '', stderr: `weir: no table at ${empty}: its _weir_log has no commit\n` });
  });

  it('names a version the table does not have, exit 2', async () => {
    const { code, stderr } = await weir(['query', table, '--version', '9']);
    expect(code).toBe(2);
    expect(stderr).toBe(`weir: table ${table} has no version 9: its latest version is 1\n`);
  });

  it('names an unknown column in --where, --columns and --order-by, exit 2', async () => {
    const columns = 'user, window_start, count, score, note, active, day, seen_at';
    expect(await weir(['query', table, '--where', "user = 'ada' and nope > 1"])).toEqual({
      code: 2,
      stdout: '',
      stderr: `weir: --where: unknown column "nope" at position 18; the table has columns ${columns}\n`,
    });
    expect((await weir(['query', table, '--columns', 'user,nope'])).stderr).toBe(
      `weir: unknown column "nope" in --columns; the table has columns ${columns}\n`,
    );
    const orderBy = await weir(['query', table, '--order-by', 'nope:desc']);
    expect(orderBy.code).toBe(2);
    expect(orderBy.stderr).toBe(`weir: unknown column "nope" in --order-by; the table has columns ${columns}\n`);
    expect((await weir(['query', table, '--order-by', 'count:up'])).stderr).toBe('weir: --order-by "count:up": expected column or column:asc or column:desc\n');
  });

  it('gives the position of a malformed expression, exit 2', async () => {
    expect(await weir(['query', table, '--where', 'count >= and'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'weir: --where: malformed expression at position 10: expected a value after ">=", found "and"\n',
    });
    expect((await weir(['query', table, '--where', "user = 'ada"])).stderr).toBe(
      "weir: --where: malformed expression at position 8: unterminated string: no closing '\n",
    );
  });

  it('refuses a literal of the wrong type for its column, exit 2', async () => {
    const { code, stderr } = await weir(['query', table, '--where', "count > 'many'"]);
    expect(code).toBe(2);
    expect(stderr).toBe(`weir: --where: column "count" is INT64: expected an integer, got 'many' at position 9\n`);
  });

  it('refuses bad option values, unknown options and unknown commands, exit 2', async () => {
    expect(await weir(['query', table, '--limit', 'ten'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "weir: option '-n, --limit <n>' argument 'ten' is invalid. Expected an integer >= 0.\n",
    });
    expect((await weir(['query', table, '--format', 'xml'])).stderr).toBe(
      "weir: option '-f, --format <format>' argument 'xml' is invalid. Allowed choices are table, json, csv.\n",
    );
    expect(await weir(['query', table, '--bogus'])).toEqual({ code: 2, stdout: '', stderr: "weir: unknown option '--bogus'\n" });
    expect(await weir(['qurey', table])).toEqual({ code: 2, stdout: '', stderr: "weir: unknown command 'qurey' (Did you mean query?)\n" });
    expect(await weir(['query'])).toEqual({ code: 2, stdout: '', stderr: "weir: missing required argument 'table'\n" });
  });

  it('never prints a stack trace', async () => {
    for (const args of [['query', `${table}-missing`], ['query', table, '--where', '((']]) {
      const { stderr } = await weir(args);
      expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });
});
