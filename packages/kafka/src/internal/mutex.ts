/**
 * Serializes async work: batch processing, timed commits and rebalance handling never overlap,
 * so a task is never processed while it commits (the task engine forbids it).
 */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => {});
    return result;
  }
}
