import type { ComparisonOp } from '@weir/parquet';
import { ExpressionError } from '../errors.js';
import { type Token, tokenize } from './tokenizer.js';

/** A column named in an expression, with where it was named (for error messages). */
export interface ColumnRef {
  name: string;
  /** 1-based character position. */
  position: number;
}

/**
 * A literal as written: numbers keep their text (the column's type decides between number,
 * bigint and decimal string), timestamps their ISO text (the column decides between Date and
 * microseconds).
 */
export type Literal =
  | { kind: 'number'; text: string; position: number }
  | { kind: 'string'; value: string; position: number }
  | { kind: 'timestamp'; text: string; position: number }
  | { kind: 'boolean'; value: boolean; position: number }
  | { kind: 'null'; position: number };

/** The syntax tree of an expression: not yet checked against a table. */
export type Expression =
  | { kind: 'compare'; op: ComparisonOp; column: ColumnRef; value: Literal }
  | { kind: 'in'; column: ColumnRef; values: Literal[]; negated: boolean }
  | { kind: 'isNull'; column: ColumnRef; negated: boolean }
  | { kind: 'and' | 'or'; operands: Expression[] }
  | { kind: 'not'; operand: Expression };

/** How a token reads in an error message. */
function describeToken(token: Token): string {
  return token.kind === 'end' ? 'the end of the expression' : JSON.stringify(token.text);
}

/**
 * A recursive-descent parser over the tokens, one method per grammar rule (see
 * {@link parseExpression}). Precedence, loosest first: `or`, `and`, `not`, predicates.
 */
class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): Expression {
    if (this.peek().kind === 'end') throw this.error('the expression is empty');
    const expression = this.or();
    const next = this.peek();
    if (next.kind !== 'end') {
      const hint = next.kind === 'rparen' ? '")": it closes no "("' : `${describeToken(next)}: expected "and", "or" or the end`;
      throw this.error(`unexpected ${hint}`, next);
    }
    return expression;
  }

  // or := and ("or" and)*
  private or(): Expression {
    const operands = [this.and()];
    while (this.acceptKeyword('or')) operands.push(this.and());
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  }

  // and := unary ("and" unary)*
  private and(): Expression {
    const operands = [this.unary()];
    while (this.acceptKeyword('and')) operands.push(this.unary());
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  }

  // unary := "not" unary | "(" or ")" | predicate
  private unary(): Expression {
    if (this.acceptKeyword('not')) return { kind: 'not', operand: this.unary() };
    if (this.peek().kind === 'lparen') {
      const open = this.next();
      if (this.peek().kind === 'rparen') throw this.error('empty parentheses', this.peek());
      const inner = this.or();
      if (this.peek().kind !== 'rparen') {
        throw this.error(`expected ")" to close the "(" at position ${open.position}, found ${describeToken(this.peek())}`, this.peek());
      }
      this.next();
      return inner;
    }
    return this.predicate();
  }

  // predicate := column op literal | column ["not"] "in" "(" literal ("," literal)* ")" | column "is" ["not"] "null"
  private predicate(): Expression {
    const token = this.peek();
    if (token.kind !== 'identifier') {
      const found = token.kind === 'keyword' ? `the keyword ${describeToken(token)}` : describeToken(token);
      throw this.error(`expected a column name, found ${found}${token.kind === 'keyword' ? ' (quote a column with this name in backticks)' : ''}`, token);
    }
    this.next();
    const column = { name: token.value, position: token.position };
    const after = this.peek();
    if (after.kind === 'operator') {
      this.next();
      return { kind: 'compare', op: after.value as ComparisonOp, column, value: this.literal(`after ${describeToken(after)}`) };
    }
    if (this.acceptKeyword('is')) {
      const negated = this.acceptKeyword('not');
      if (!this.acceptKeyword('null')) throw this.error(`expected "null" after "is${negated ? ' not' : ''}", found ${describeToken(this.peek())}`, this.peek());
      return { kind: 'isNull', column, negated };
    }
    const negated = this.acceptKeyword('not');
    if (this.acceptKeyword('in')) return { kind: 'in', column, values: this.list(), negated };
    const expected = negated ? '"in" after "not"' : 'an operator (= != < <= > >=), "in" or "is" after the column';
    throw this.error(`expected ${expected}, found ${describeToken(this.peek())}`, this.peek());
  }

  // list := "(" literal ("," literal)* ")"
  private list(): Literal[] {
    if (this.peek().kind !== 'lparen') throw this.error(`expected "(" after "in", found ${describeToken(this.peek())}`, this.peek());
    this.next();
    const values = [this.literal('in the list')];
    while (this.peek().kind === 'comma') {
      this.next();
      values.push(this.literal('after ","'));
    }
    if (this.peek().kind !== 'rparen') throw this.error(`expected "," or ")" in the list, found ${describeToken(this.peek())}`, this.peek());
    this.next();
    return values;
  }

  // literal := number | string | timestamp | "true" | "false" | "null"
  private literal(where: string): Literal {
    const token = this.peek();
    const { position } = token;
    switch (token.kind) {
      case 'number':
        this.next();
        return { kind: 'number', text: token.text, position };
      case 'string':
        this.next();
        return { kind: 'string', value: token.value, position };
      case 'timestamp':
        this.next();
        return { kind: 'timestamp', text: token.text, position };
      case 'keyword':
        if (token.value === 'true' || token.value === 'false') {
          this.next();
          return { kind: 'boolean', value: token.value === 'true', position };
        }
        if (token.value === 'null') {
          this.next();
          return { kind: 'null', position };
        }
        break;
      case 'identifier': {
        // The commonest slip: a bare word meant as a string. Say how to write it.
        throw this.error(`expected a value ${where}, found ${describeToken(token)} (quote strings: '${token.value}')`, token);
      }
      default:
        break;
    }
    throw this.error(`expected a value ${where}, found ${describeToken(token)}`, token);
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    const token = this.tokens[this.index]!;
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private acceptKeyword(keyword: string): boolean {
    const token = this.peek();
    if (token.kind !== 'keyword' || token.value !== keyword) return false;
    this.next();
    return true;
  }

  private error(detail: string, token: Token = this.peek()): ExpressionError {
    return new ExpressionError(detail, token.position, 'syntax');
  }
}

/**
 * Parses a `--where` expression into a syntax tree. The grammar (keywords case-insensitive):
 *
 * ```text
 * expression := or
 * or         := and ("or" and)*
 * and        := unary ("and" unary)*
 * unary      := "not" unary | "(" expression ")" | predicate
 * predicate  := column ("=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">=") literal
 *             | column ["not"] "in" "(" literal ("," literal)* ")"
 *             | column "is" ["not"] "null"
 * column     := identifier | `quoted identifier`
 * literal    := number | 'string' | "string" | timestamp | true | false | null
 * timestamp  := YYYY-MM-DD[THH:MM[:SS[.fraction]]][Z | +HH:MM | -HH:MM]   (unquoted; UTC when no zone)
 * ```
 *
 * @param text the expression
 * @returns the syntax tree; {@link bindExpression} checks it against a table and makes a filter
 * @throws ExpressionError (`kind: 'syntax'`) naming the position of the first token that does not fit
 * @example
 * ```ts
 * parseExpression("count >= 10 and not user in ('ada', 'bob')");
 * ```
 */
export function parseExpression(text: string): Expression {
  return new Parser(tokenize(text)).parse();
}
