import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerCompact } from './commands/compact.js';
import { registerDescribe } from './commands/describe.js';
import { registerHistory } from './commands/history.js';
import { registerImport } from './commands/import.js';
import { registerQuery } from './commands/query.js';
import { registerRun } from './commands/run.js';
import { registerTables } from './commands/tables.js';
import { CliError, ExitCode } from './errors.js';
import type { CliIo } from './internal/output.js';

/** The CLI's version: the package's. Read at run time: package.json lies outside `rootDir`. */
export const CLI_VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** Commander's exits that are not errors: help and version asked for. */
const SUCCESS_CODES = new Set(['commander.helpDisplayed', 'commander.version']);

/**
 * Builds the `weir` command: every subcommand with its help. Commander is told to throw instead
 * of exiting, so {@link runCli} maps its errors to exit code 2.
 *
 * @param setExitCode receives the exit code of a command that decides it itself (`run`)
 */
export function createProgram(io: CliIo, setExitCode: (code: number) => void = () => {}): Command {
  const program = new Command('weir');
  program
    .description('Weir: run, describe and query Kafka Streams-style topologies and their Parquet tables.')
    .version(CLI_VERSION, '-V, --version', 'print the weir version')
    // Options after a subcommand belong to it: `weir query t --version 3` is time travel, not `weir --version`.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // One line per error, in the CLI's own "weir: ..." style; commander puts its
      // "(Did you mean query?)" on a second line.
      outputError: (text, write) => write(`weir: ${text.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')}\n`),
    })
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 runtime failure, 2 usage error (unknown command or option, bad value, wrong path, unknown column, malformed expression).
Run "weir <command> --help" for a command's options.`,
    );
  // Subcommands made with .command() inherit exitOverride and the output configuration.
  registerRun(program, io, setExitCode);
  registerDescribe(program, io);
  registerQuery(program, io);
  registerHistory(program, io);
  registerTables(program, io);
  registerCompact(program, io);
  registerImport(program, io);
  return program;
}

/** The exit code for an error a command threw, and whether it is a usage error. */
function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  // @weir/parquet's own usage-level errors, should one get past the commands' checks. By name:
  // importing @weir/parquet here would load it for every command.
  if (error instanceof Error && (error.name === 'InvalidQueryError' || error.name === 'TableNotFoundError')) return ExitCode.Usage;
  return ExitCode.Failure;
}

/**
 * Runs the CLI on `argv` (without the node and script paths) and returns the exit code: 0 ok,
 * 1 runtime failure, 2 usage error. Errors are reported on `io.stderr` as one line,
 * `weir: <message>`; set `WEIR_DEBUG=1` for the stack trace as well.
 *
 * @example
 * ```ts
 * const code = await runCli(['query', './tables/counts', '--limit', '5'], { stdout: process.stdout, stderr: process.stderr });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let code: number = ExitCode.Ok;
  const program = createProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (SUCCESS_CODES.has(error.code)) return ExitCode.Ok;
      // Commander has printed the message (or, for a bare `weir`, the help).
      return ExitCode.Usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`weir: ${message}\n`);
    if (process.env.WEIR_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return exitCodeOf(error);
  }
}
