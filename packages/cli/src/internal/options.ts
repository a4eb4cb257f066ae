import { InvalidArgumentError } from 'commander';

/**
 * A commander option parser for an integer within `[min, max]`: commander reports its message
 * as `option '--limit <n>' argument 'x' is invalid. <message>` and the CLI exits with 2.
 */
export function integerOption(min: number, max: number = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `Expected an integer >= ${min}.` : `Expected an integer from ${min} to ${max}.`);
    }
    return n;
  };
}

/** Splits a comma-separated list (`a,b, c`), dropping blanks. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A commander option parser for a non-empty comma-separated list. */
export function listOption(value: string): string[] {
  const list = splitList(value);
  if (list.length === 0) throw new InvalidArgumentError('Expected a comma-separated list.');
  return list;
}
