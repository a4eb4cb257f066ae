import { WeirError } from '@weir/core';

/** The exit codes of the `weir` command. */
export const ExitCode = {
  /** The command did what it was asked. */
  Ok: 0,
  /** The command was valid but failed while running (broker down, app error, unreadable file). */
  Failure: 1,
  /** The command line was wrong: unknown command or option, bad value, wrong path, unknown column, malformed expression. */
  Usage: 2,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error the CLI reports as one line (`weir: <message>`, no stack trace) and turns into an
 * exit code. Root of the CLI's errors; `exitCode` says which.
 */
export class CliError extends WeirError {
  override name = 'CliError';
  /** The process exit code this error ends the command with. */
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode = ExitCode.Failure, options: { cause?: unknown } = {}) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/**
 * A command line the CLI cannot act on: a wrong path, an unknown column, a bad option value.
 * Exit code 2.
 */
export class UsageError extends CliError {
  override name = 'UsageError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, ExitCode.Usage, options);
  }
}

/**
 * A `--where` expression that does not parse (`kind: 'syntax'`) or does not fit the table
 * (`kind: 'binding'`: unknown column, literal of the wrong type). `position` is the 1-based
 * character position of the offending token. Exit code 2.
 */
export class ExpressionError extends UsageError {
  override name = 'ExpressionError';

  constructor(
    /** What is wrong, e.g. `expected a value after ">=", found the end of the expression`. */
    readonly detail: string,
    /** 1-based character position in the expression text. */
    readonly position: number,
    /** Whether the text is malformed or names something the table does not have. */
    readonly kind: 'syntax' | 'binding',
  ) {
    // A binding detail names its column and position itself ("unknown column "x" at position 7; ...").
    super(kind === 'syntax' ? `malformed expression at position ${position}: ${detail}` : detail);
  }
}
