import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

describe('weir package', () => {
  it('exposes its public API from src/index.ts and declares types first in exports', () => {
    expect(Object.keys(pkg.exports['.'])[0]).toBe('types');
    expect(Object.keys(pkg.exports)).toEqual(['.']);
    expect(Object.keys(api).sort()).toEqual(
      [
        'CLI_VERSION',
        'CliError',
        'ExitCode',
        'ExpressionError',
        'KEYWORDS',
        'UsageError',
        'bindExpression',
        'createProgram',
        'parseExpression',
        'parseTimestamp',
        'runCli',
        'tokenize',
        'whereFilter',
      ].sort(),
    );
    expect(api.CLI_VERSION).toBe(pkg.version);
  });

  it('installs the weir command', () => {
    expect(pkg.bin).toEqual({ weir: './dist/cli.js' });
  });

  it('depends on the Weir packages and its pinned libraries only', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual(
      ['@weir/avro', '@weir/core', '@weir/kafka', '@weir/parquet', '@weir/state', 'commander', 'kafkajs', 'pino', 'prom-client', 'tsx'].sort(),
    );
    for (const version of Object.values<string>(pkg.dependencies)) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    // kafkajs: `weir import` produces with its own transactional producer.
    expect(Object.keys(pkg.devDependencies ?? {})).toEqual([]);
  });

  it('roots its errors in WeirError and maps them to exit codes 1 and 2', async () => {
    const { WeirError } = await import('@weir/core');
    expect(api.CliError.prototype).toBeInstanceOf(WeirError);
    expect(new api.UsageError('x').exitCode).toBe(2);
    expect(new api.CliError('x').exitCode).toBe(1);
    expect(new api.ExpressionError('x', 3, 'syntax')).toBeInstanceOf(api.UsageError);
  });
});
