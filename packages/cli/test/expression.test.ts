import { Columns, type TableSchema } from '@weir/avro';
import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../src/errors.js';
import { bindExpression, whereFilter } from '../src/expression/bind-expression.js';
import { parseExpression } from '../src/expression/parser.js';
import { parseTimestamp } from '../src/expression/timestamp.js';
import { tokenize } from '../src/expression/tokenizer.js';

const schema: TableSchema = [
  Columns.string('user'),
  Columns.int64('count'),
  Columns.int32('small'),
  Columns.double('score', { nullable: true }),
  Columns.boolean('active'),
  Columns.timestampMillis('window_start'),
  Columns.timestampMicros('seen_at'),
  Columns.date('day'),
  Columns.decimal('price', { precision: 10, scale: 2 }),
  Columns.bytes('blob'),
  Columns.string('and col'),
  Columns.record('nested', [Columns.string('a')]),
];

function syntaxError(text: string): ExpressionError {
  try {
    parseExpression(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    expect((error as ExpressionError).kind).toBe('syntax');
    return error as ExpressionError;
  }
  throw new Error(`"${text}" parsed`);
}

function bindingError(text: string): ExpressionError {
  try {
    whereFilter(text, schema);
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    expect((error as ExpressionError).kind).toBe('binding');
    return error as ExpressionError;
  }
  throw new Error(`"${text}" bound`);
}

describe('tokenize', () => {
  it('splits identifiers, operators, literals and punctuation, with 1-based positions', () => {
    const tokens = tokenize("count >= 10 and user in ('ada', \"bob\")");
    expect(tokens.map((t) => [t.kind, t.value, t.position])).toEqual([
      ['identifier', 'count', 1],
      ['operator', '>=', 7],
      ['number', '10', 10],
      ['keyword', 'and', 13],
      ['identifier', 'user', 17],
      ['keyword', 'in', 22],
      ['lparen', '(', 25],
      ['string', 'ada', 26],
      ['comma', ',', 31],
      ['string', 'bob', 33],
      ['rparen', ')', 38],
      ['end', '', 39],
    ]);
  });

  it('reads keywords case-insensitively and normalizes == and <>', () => {
    expect(tokenize('a == 1 AND b <> 2 Or NOT c').map((t) => t.value)).toEqual(['a', '=', '1', 'and', 'b', '!=', '2', 'or', 'not', 'c', '']);
  });

  it('reads unquoted ISO timestamps and negative and decimal numbers', () => {
    expect(tokenize('2026-11-26T10:00:00.123456+01:00 2026-11-26 -5 3.25 1e3').map((t) => [t.kind, t.text])).toEqual([
      ['timestamp', '2026-11-26T10:00:00.123456+01:00'],
      ['timestamp', '2026-11-26'],
      ['number', '-5'],
      ['number', '3.25'],
      ['number', '1e3'],
      ['end', ''],
    ]);
  });

  it('unescapes strings (backslash and doubled quotes) and reads backquoted identifiers', () => {
    expect(tokenize("'it''s' 'a\\'b' \"say \"\"hi\"\"\" `and col`").map((t) => [t.kind, t.value])).toEqual([
      ['string', "it's"],
      ['string', "a'b"],
      ['string', 'say "hi"'],
      ['identifier', 'and col'],
      ['end', ''],
    ]);
  });

  it('rejects an unterminated string at the position of its opening quote', () => {
    expect(() => tokenize("user = 'ada")).toThrow("malformed expression at position 8: unterminated string: no closing '");
  });

  it('rejects a character no token starts with', () => {
    expect(() => tokenize('count ~ 3')).toThrow('malformed expression at position 7: unexpected character "~"');
  });
});

describe('parseExpression', () => {
  it('parses comparisons with every operator', () => {
    for (const op of ['=', '!=', '<', '<=', '>', '>='] as const) {
      expect(parseExpression(`count ${op} 3`)).toEqual({
        kind: 'compare',
        op,
        column: { name: 'count', position: 1 },
        value: { kind: 'number', text: '3', position: 8 + op.length },
      });
    }
  });

  it('binds "and" tighter than "or", and "not" tighter than "and"', () => {
    const tree = parseExpression('a = 1 or not b = 2 and c = 3');
    expect(tree.kind).toBe('or');
    if (tree.kind !== 'or') return;
    expect(tree.operands[0]!.kind).toBe('compare');
    const right = tree.operands[1]!;
    expect(right.kind).toBe('and');
    if (right.kind !== 'and') return;
    expect(right.operands.map((o) => o.kind)).toEqual(['not', 'compare']);
  });

  it('lets parentheses override precedence', () => {
    const tree = parseExpression('(a = 1 or b = 2) and c = 3');
    expect(tree.kind).toBe('and');
    if (tree.kind === 'and') expect(tree.operands.map((o) => o.kind)).toEqual(['or', 'compare']);
  });

  it('parses in-lists, not in, is null and is not null', () => {
    expect(parseExpression("user not in ('ada', 'bob')")).toMatchObject({ kind: 'in', negated: true, values: [{ value: 'ada' }, { value: 'bob' }] });
    expect(parseExpression('score is null')).toMatchObject({ kind: 'isNull', negated: false });
    expect(parseExpression('score IS NOT NULL')).toMatchObject({ kind: 'isNull', negated: true });
  });

  it('reports malformed expressions with the position of the offending token', () => {
    expect(syntaxError('count >=').message).toBe('malformed expression at position 9: expected a value after ">=", found the end of the expression');
    expect(syntaxError('count > 1 user').message).toBe('malformed expression at position 11: unexpected "user": expected "and", "or" or the end');
    expect(syntaxError('(count > 1').message).toBe(
      'malformed expression at position 11: expected ")" to close the "(" at position 1, found the end of the expression',
    );
    expect(syntaxError('count > 1)').message).toBe('malformed expression at position 10: unexpected ")": it closes no "("');
    expect(syntaxError("user = ada").message).toBe(`malformed expression at position 8: expected a value after "=", found "ada" (quote strings: 'ada')`);
    expect(syntaxError('user in ()').message).toBe('malformed expression at position 10: expected a value in the list, found ")"');
    expect(syntaxError("user in ('a' 'b')").message).toBe(`malformed expression at position 14: expected "," or ")" in the list, found "'b'"`);
    expect(syntaxError('user').message).toBe(
      'malformed expression at position 5: expected an operator (= != < <= > >=), "in" or "is" after the column, found the end of the expression',
    );
    expect(syntaxError('score is 3').message).toBe('malformed expression at position 10: expected "null" after "is", found "3"');
    expect(syntaxError('and = 1').message).toBe(
      'malformed expression at position 1: expected a column name, found the keyword "and" (quote a column with this name in backticks)',
    );
    expect(syntaxError('').message).toBe('malformed expression at position 1: the expression is empty');
    expect(syntaxError('count > 1 and').position).toBe(14);
  });
});

describe('bindExpression', () => {
  it('converts literals to the column types: bigint for INT64, numbers, booleans, decimal text', () => {
    expect(whereFilter("count > 2 and small <= 3 and score = 1.5 and active = true and price >= 12.5 and user = 'ada'", schema)).toEqual({
      op: 'and',
      filters: [
        { op: '>', column: 'count', value: 2n },
        { op: '<=', column: 'small', value: 3 },
        { op: '=', column: 'score', value: 1.5 },
        { op: '=', column: 'active', value: true },
        { op: '>=', column: 'price', value: '12.5' },
        { op: '=', column: 'user', value: 'ada' },
      ],
    });
  });

  it('keeps INT64 literals exact past 2^53', () => {
    expect(whereFilter('count = 12345678901234567', schema)).toEqual({ op: '=', column: 'count', value: 12345678901234567n });
  });

  it('turns timestamps into Dates for TIMESTAMP_MILLIS and DATE, and into microseconds for TIMESTAMP_MICROS', () => {
    expect(whereFilter('window_start >= 2026-11-26T10:00:00Z', schema)).toEqual({
      op: '>=',
      column: 'window_start',
      value: new Date('2026-11-26T10:00:00Z'),
    });
    expect(whereFilter("window_start < '2026-11-26T11:00:00+01:00'", schema)).toEqual({
      op: '<',
      column: 'window_start',
      value: new Date('2026-11-26T10:00:00Z'),
    });
    expect(whereFilter('day = 2026-11-26', schema)).toEqual({ op: '=', column: 'day', value: new Date('2026-11-26T00:00:00Z') });
    expect(whereFilter('seen_at > 2026-11-26T10:00:00.123456Z', schema)).toEqual({ op: '>', column: 'seen_at', value: 1795687200123456n });
  });

  it('reads "= null" as "is null" and "!= null" as "is not null"', () => {
    expect(whereFilter('score = null', schema)).toEqual({ op: 'isNull', column: 'score' });
    expect(whereFilter('score != null', schema)).toEqual({ op: 'isNotNull', column: 'score' });
    expect(whereFilter('score is not null', schema)).toEqual({ op: 'isNotNull', column: 'score' });
  });

  it('pushes not down with De Morgan and inverted comparisons', () => {
    expect(whereFilter("not (count > 2 or user = 'ada')", schema)).toEqual({
      op: 'and',
      filters: [
        { op: '<=', column: 'count', value: 2n },
        { op: '!=', column: 'user', value: 'ada' },
      ],
    });
    expect(whereFilter("not user in ('ada', 'bob')", schema)).toEqual({
      op: 'and',
      filters: [
        { op: '!=', column: 'user', value: 'ada' },
        { op: '!=', column: 'user', value: 'bob' },
      ],
    });
    expect(whereFilter("not user not in ('ada')", schema)).toEqual({ op: 'in', column: 'user', values: ['ada'] });
    expect(whereFilter('not not score is null', schema)).toEqual({ op: 'isNull', column: 'score' });
    expect(whereFilter('not score is null', schema)).toEqual({ op: 'isNotNull', column: 'score' });
  });

  it('reads backquoted column names', () => {
    expect(whereFilter("`and col` = 'x'", schema)).toEqual({ op: '=', column: 'and col', value: 'x' });
  });

  it('names an unknown column, its position and the columns the table has', () => {
    const error = bindingError("user = 'ada' and nope > 3");
    expect(error.message).toBe(
      'unknown column "nope" at position 18; the table has columns user, count, small, score, active, window_start, seen_at, day, price, blob, and col, nested',
    );
    expect(error.position).toBe(18);
  });

  it('refuses literals that do not fit the column, naming column, type, literal and position', () => {
    expect(bindingError('user = 5').message).toBe(`column "user" is STRING: expected a 'string', got 5 at position 8`);
    expect(bindingError('count > 2.5').message).toBe('column "count" is INT64: expected an integer, got 2.5 at position 9');
    expect(bindingError("count > 'x'").message).toBe(`column "count" is INT64: expected an integer, got 'x' at position 9`);
    expect(bindingError('active = 1').message).toBe('column "active" is BOOLEAN: expected true or false, got 1 at position 10');
    expect(bindingError("window_start > 'yesterday'").message).toBe(
      `column "window_start" is TIMESTAMP_MILLIS: expected an ISO timestamp such as 2026-11-26T10:00:00Z, got 'yesterday' at position 16`,
    );
    expect(bindingError('window_start > 2026-02-30').message).toContain('expected an ISO timestamp');
    expect(bindingError("blob = 'x'").message).toBe('column "blob" at position 8 is BYTES: --where cannot filter on bytes');
    expect(bindingError("nested = 'x'").message).toBe('column "nested" at position 1 is nested (record): only scalar columns can be filtered');
    expect(bindingError('score < null').message).toBe('"<" cannot compare with null at position 9: use "is null" or "is not null"');
    expect(bindingError("user in ('a', null)").message).toBe('null in an "in" list at position 15 matches nothing: use "is null"');
  });

  it('binds a parsed tree', () => {
    expect(bindExpression(parseExpression('small in (1, 2)'), schema)).toEqual({ op: 'in', column: 'small', values: [1, 2] });
  });
});

describe('parseTimestamp', () => {
  it('reads dates, date-times, fractions to the microsecond, and zones; UTC without a zone', () => {
    expect(parseTimestamp('2026-11-26')).toEqual({ millis: Date.parse('2026-11-26T00:00:00Z'), micros: 1795651200000000n });
    expect(parseTimestamp('2026-11-26T10:00')?.millis).toBe(Date.parse('2026-11-26T10:00:00Z'));
    expect(parseTimestamp('2026-11-26T10:00:00.123456789Z')).toEqual({ millis: Date.parse('2026-11-26T10:00:00.123Z'), micros: 1795687200123456n });
    expect(parseTimestamp('2026-11-26T10:00:00-0230')?.millis).toBe(Date.parse('2026-11-26T12:30:00Z'));
    expect(parseTimestamp('0099-01-01')?.millis).toBe(Date.parse('0099-01-01T00:00:00Z'));
  });

  it('rejects impossible dates and other text', () => {
    for (const text of ['2026-02-29', '2026-13-01', '2026-11-26T24:00', 'yesterday', '2026-11-26T10:00:00+25:00']) {
      expect(parseTimestamp(text)).toBeUndefined();
    }
  });
});
