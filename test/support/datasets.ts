/** A deterministic pseudo-random generator (mulberry32), so a failing run can be replayed. */
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

/** One input record of a workload, with the partition it is written to. */
export interface WorkloadRecord {
  readonly key: string;
  readonly value: string;
  readonly timestamp: number;
  readonly partition: number;
}

/**
 * Records with random keys and out-of-order timestamps: time advances 50 ms per record on
 * average, and about one record in ten arrives up to 30 s late (beyond a 10 s grace for some).
 */
export function outOfOrderWorkload(options: { count: number; keys: number; partitions: number; seed: number; start?: number }): WorkloadRecord[] {
  const random = seededRandom(options.seed);
  const records: WorkloadRecord[] = [];
  // Recent, and in the past: brokers refuse timestamps more than an hour ahead of their clock,
  // and delete records (and windowed changelog entries) older than their retention by timestamp.
  let clock = options.start ?? Math.floor((Date.now() - 4 * 3_600_000) / 60_000) * 60_000;
  for (let i = 0; i < options.count; i++) {
    clock += Math.floor(random() * 100);
    const late = random() < 0.1 ? Math.floor(random() * 30_000) : 0;
    const k = Math.floor(random() * options.keys);
    records.push({ key: `key-${k}`, value: `v${i}`, timestamp: clock - late, partition: k % options.partitions });
  }
  return records;
}
