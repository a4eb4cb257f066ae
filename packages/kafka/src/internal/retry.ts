/** Delay before retry `attempt` (1, 2, ...): 1 s, 2 s, 4 s, ... capped at 30 s. */
export function backoffDelayMs(attempt: number): number {
  return Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
}

/**
 * Runs `attempt` after a growing delay ({@link backoffDelayMs}) until it succeeds, or until
 * `active()` turns false (checked before each wait and each try). A failed try is handed to
 * `onFailure` (log it, release what the try left behind) before the next wait.
 */
export async function retryWithBackoff(
  active: () => boolean,
  attempt: () => Promise<void>,
  onFailure: (attempt: number, error: Error) => Promise<void>,
): Promise<void> {
  for (let n = 1; active(); n++) {
    await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(n)));
    if (!active()) return;
    try {
      await attempt();
      return;
    } catch (error) {
      await onFailure(n, error as Error);
    }
  }
}
