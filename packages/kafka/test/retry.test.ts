import { describe, expect, it } from 'vitest';
import { backoffDelayMs, retryWithBackoff } from '../src/internal/retry.js';

describe('retryWithBackoff', () => {
  it('waits 1 s, 2 s, 4 s, ... up to 30 s between tries', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(backoffDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('tries nothing once the caller is no longer active', async () => {
    let tries = 0;
    await retryWithBackoff(
      () => false,
      async () => {
        tries++;
      },
      async () => {},
    );
    expect(tries).toBe(0);
  });

  it('reports a failed try, then stops at the first success', async () => {
    const failures: number[] = [];
    let tries = 0;
    await retryWithBackoff(
      () => true,
      async () => {
        if (++tries === 1) throw new Error('broker down');
      },
      async (attempt, error) => {
        failures.push(attempt);
        expect(error.message).toBe('broker down');
      },
    );
    expect(tries).toBe(2);
    expect(failures).toEqual([1]);
  }, 10_000);
});
