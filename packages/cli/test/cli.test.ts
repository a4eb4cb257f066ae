import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { weir } from './helpers/cli.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

describe('weir', () => {
  it('prints its version', async () => {
    expect(await weir(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('prints help listing every command and the exit codes, exit 0', async () => {
    const { code, stdout } = await weir(['--help']);
    expect(code).toBe(0);
    for (const command of ['run', 'describe', 'query', 'history', 'tables', 'compact']) expect(stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(stdout).toContain('Exit codes: 0 ok, 1 runtime failure, 2 usage error');
  });

  it('has help for every command', async () => {
    for (const command of ['run', 'describe', 'query', 'history', 'tables', 'compact']) {
      const { code, stdout } = await weir([command, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: weir ${command} [options] <`);
    }
    const run = await weir(['help', 'run']);
    for (const option of ['--config', '--application-id', '--brokers', '--state-dir', '--guarantee', '--metrics-port', '--log-level']) {
      expect(run.stdout).toContain(option);
    }
  });

  it('exits 2 on an unknown command, an unknown option, or no command', async () => {
    expect(await weir(['frobnicate'])).toEqual({ code: 2, stdout: '', stderr: "weir: unknown command 'frobnicate'\n" });
    expect(await weir(['--frobnicate'])).toEqual({ code: 2, stdout: '', stderr: "weir: unknown option '--frobnicate'\n" });
    const bare = await weir([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('Usage: weir [options] [command]');
  });
});
