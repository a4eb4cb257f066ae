/**
 * `weir`: the Weir command line (`weir run | describe | query | history | tables | compact`),
 * and the pieces it is made of for programs that want them: {@link runCli}, and the `--where`
 * expression language ({@link parseExpression}, {@link bindExpression}, {@link whereFilter}).
 * @packageDocumentation
 */
export { CLI_VERSION, createProgram, runCli } from './program.js';
export { CliError, ExitCode, ExpressionError, UsageError } from './errors.js';
export { type Keyword, KEYWORDS, type Token, type TokenKind, tokenize } from './expression/tokenizer.js';
export { type ColumnRef, type Expression, type Literal, parseExpression } from './expression/parser.js';
export { bindExpression, whereFilter } from './expression/bind-expression.js';
export { type ParsedTimestamp, parseTimestamp } from './expression/timestamp.js';
export type { CliIo, RowFormat } from './internal/output.js';
