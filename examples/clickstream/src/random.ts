/** A deterministic pseudo-random generator in [0, 1) (mulberry32): the same seed, the same clickstream. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Samples ranks 0..n-1 with Zipf's law: rank `r` has weight `1 / (r + 1)^exponent`, so rank 0 is
 * the most popular and the tail is long (exponent 0 is uniform).
 *
 * @param n - how many ranks
 * @param exponent - the skew; about 1 for web pages
 * @param random - a generator in [0, 1)
 * @returns a sampler of ranks, and each rank's probability
 */
export function zipfSampler(n: number, exponent: number, random: () => number): { sample: () => number; probabilities: number[] } {
  if (!(n >= 1)) throw new RangeError(`zipfSampler needs at least one rank, got ${n}`);
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) {
    total += 1 / (r + 1) ** exponent;
    cumulative[r] = total;
  }
  const probabilities = Array.from(cumulative, (c, r) => (c - (r === 0 ? 0 : cumulative[r - 1]!)) / total);
  return {
    probabilities,
    sample() {
      const u = random() * total;
      // The first rank whose cumulative weight exceeds u.
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cumulative[mid]! > u) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    },
  };
}

/** An exponentially distributed sample with the given mean. */
export function exponential(mean: number, random: () => number): number {
  return -mean * Math.log(1 - random());
}
