import { ExpressionError } from '../errors.js';

/** The kinds of token of the `--where` expression language. */
export type TokenKind =
  | 'identifier'
  | 'number'
  | 'string'
  | 'timestamp'
  | 'operator'
  | 'keyword'
  | 'lparen'
  | 'rparen'
  | 'comma'
  | 'end';

/** The reserved words, matched case-insensitively. */
export const KEYWORDS = ['and', 'or', 'not', 'in', 'is', 'null', 'true', 'false'] as const;

/** A reserved word, in lower case. */
export type Keyword = (typeof KEYWORDS)[number];

/** One token: `text` is the source text, `value` the decoded value (unquoted string, lower-case keyword, normalized operator). */
export interface Token {
  kind: TokenKind;
  /** The token as written. */
  text: string;
  /** Strings unquoted and unescaped, keywords lower-cased, `==` as `=` and `<>` as `!=`; else the text. */
  value: string;
  /** 1-based character position of the token's first character. */
  position: number;
}

// An ISO 8601 date with an optional time and zone, written without quotes: 2026-11-26,
// 2026-11-26T10:00:00Z, 2026-11-26T10:00:00.123456+01:00. Tried before numbers, which it starts like.
const TIMESTAMP = /\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\w:.-])/y;
// A decimal number: an optional minus, digits, an optional fraction and exponent.
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?![\w.])/y;
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_$]*/y;
const OPERATORS = ['<=', '>=', '!=', '<>', '==', '=', '<', '>'] as const;

function match(pattern: RegExp, text: string, at: number): string | undefined {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0];
}

/**
 * Splits an expression into tokens; the last one is always `end`.
 *
 * Strings are quoted with `'` or `"`; inside, a backslash escapes the next character and a
 * doubled quote stands for one (SQL style). Identifiers that are not plain words (spaces, dots,
 * a reserved word) are quoted with backticks.
 *
 * @throws ExpressionError (`kind: 'syntax'`) on an unterminated string or identifier, or a character no token starts with
 * @example
 * ```ts
 * tokenize("count >= 10 and user in ('ada', 'bob')").map((t) => t.kind);
 * // ['identifier', 'operator', 'number', 'keyword', 'identifier', 'keyword', 'lparen', 'string', 'comma', 'string', 'rparen', 'end']
 * ```
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  const push = (kind: TokenKind, raw: string, value: string = raw) => {
    tokens.push({ kind, text: raw, value, position: at + 1 });
    at += raw.length;
  };
  while (at < text.length) {
    const c = text[at]!;
    if (/\s/.test(c)) {
      at++;
      continue;
    }
    if (c === '(') push('lparen', c);
    else if (c === ')') push('rparen', c);
    else if (c === ',') push('comma', c);
    else if (c === "'" || c === '"' || c === '`') {
      const { raw, value } = quoted(text, at);
      push(c === '`' ? 'identifier' : 'string', raw, value);
    } else {
      const operator = OPERATORS.find((op) => text.startsWith(op, at));
      if (operator !== undefined) {
        push('operator', operator, operator === '==' ? '=' : operator === '<>' ? '!=' : operator);
        continue;
      }
      const timestamp = match(TIMESTAMP, text, at);
      if (timestamp !== undefined) {
        push('timestamp', timestamp);
        continue;
      }
      const number = match(NUMBER, text, at);
      if (number !== undefined) {
        push('number', number);
        continue;
      }
      const word = match(IDENTIFIER, text, at);
      if (word !== undefined) {
        const lower = word.toLowerCase();
        if ((KEYWORDS as readonly string[]).includes(lower)) push('keyword', word, lower);
        else push('identifier', word);
        continue;
      }
      throw new ExpressionError(`unexpected character ${JSON.stringify(c)}`, at + 1, 'syntax');
    }
  }
  tokens.push({ kind: 'end', text: '', value: '', position: text.length + 1 });
  return tokens;
}

/** Reads a quoted string or identifier starting at `start` (the quote). */
function quoted(text: string, start: number): { raw: string; value: string } {
  const quote = text[start]!;
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      value += text[i + 1];
      i += 2;
    } else if (c === quote && text[i + 1] === quote) {
      value += quote;
      i += 2;
    } else if (c === quote) {
      return { raw: text.slice(start, i + 1), value };
    } else {
      value += c;
      i++;
    }
  }
  const what = quote === '`' ? 'quoted column name' : 'string';
  throw new ExpressionError(`unterminated ${what}: no closing ${quote}`, start + 1, 'syntax');
}
