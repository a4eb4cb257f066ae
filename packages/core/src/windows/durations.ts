/** Checks a duration argument: an integer number of milliseconds of at least `min`. */
export function checkDuration(what: string, value: number, min = 0): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${what} must be an integer number of milliseconds >= ${min}, got ${value}`);
  }
}
