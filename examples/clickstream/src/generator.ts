import { exponential, seededRandom, zipfSampler } from './random.js';

/** How a page view arrives relative to its event time. */
export const Arrival = {
  /** In event-time order. */
  inOrder: 0,
  /** Delayed by less than the grace period: still counted. */
  outOfOrder: 1,
  /** Delayed past its window's end plus grace: dropped as late by the per-minute count. */
  late: 2,
} as const;
export type Arrival = (typeof Arrival)[keyof typeof Arrival];

/** A page view as produced to the `page-views` topic (the value, as JSON; the key is `user`). */
export interface PageView {
  readonly user: string;
  readonly page: string;
  /** Event time, epoch ms (also the record timestamp). */
  readonly ts: number;
  readonly device: 'desktop' | 'mobile' | 'tablet';
}

/** Options of {@link generateClickstream}. Every field but `endMs` is optional. */
export interface ClickstreamOptions {
  /** Event time where the stream ends (exclusive), epoch ms. Required. */
  endMs: number;
  /** Page views to generate. Default 1_000_000. */
  events?: number;
  /** Event time covered, ending at `endMs`. Default 30 minutes. */
  spanMs?: number;
  /** Distinct users. Default 5_000. */
  users?: number;
  /** Distinct pages. Default 50. */
  pages?: number;
  /** Seed of the generator. Default 42. */
  seed?: number;
  /** Zipf exponent of page popularity. Default 1.1 (the home page takes about a fifth of the views). */
  pageSkew?: number;
  /** Zipf exponent of user activity. Default 0.6. */
  userSkew?: number;
  /** Mean page views of one visit (a burst of activity of one user). Default 12. */
  viewsPerVisit?: number;
  /** Mean time between two views of a visit, ms. Default 20_000. */
  viewGapMs?: number;
  /** Share of views delayed by less than the grace period. Default 0.05. */
  outOfOrderShare?: number;
  /** Delay range of out-of-order views, ms. Default [500, 5_000] (grace is 10 s). */
  outOfOrderDelayMs?: readonly [number, number];
  /** Share of views delayed past window end + grace. Default 0.002. */
  lateShare?: number;
  /** Delay range of late views, ms. Default [75_000, 150_000] (a 1-minute window plus 10 s grace is at most 70 s away). */
  lateDelayMs?: readonly [number, number];
}

/**
 * A generated clickstream, held column-wise in arrival order (the order it is produced in).
 * `timestamp[i]` is the event time of the i-th view to arrive.
 */
export interface Clickstream {
  readonly count: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly timestamp: Float64Array;
  /** Index into {@link userNames}. */
  readonly user: Uint32Array;
  /** Index into {@link pageNames}, which is also the popularity rank. */
  readonly page: Uint16Array;
  /** {@link Arrival} of each view. */
  readonly arrival: Uint8Array;
  readonly userNames: readonly string[];
  readonly pageNames: readonly string[];
  /** The i-th view as a record: key `user`, JSON value, timestamp. */
  record(i: number): { key: string; value: string; timestamp: number };
  /** The i-th view. */
  view(i: number): PageView;
}

const NAMED_PAGES = ['/', '/search', '/cart', '/checkout', '/deals', '/account', '/login', '/help', '/blog', '/about'];
const DEVICES = ['desktop', 'mobile', 'tablet'] as const;

/** The site's page paths, most popular first: a few named pages, then products. */
export function pageNames(count: number): string[] {
  const names = NAMED_PAGES.slice(0, count);
  for (let i = 1; names.length < count; i++) names.push(`/product/${String(i).padStart(3, '0')}`);
  return names;
}

/** User ids `u-0000`, `u-0001`, ... */
export function userNames(count: number): string[] {
  const width = Math.max(4, String(count - 1).length);
  return Array.from({ length: count }, (_, i) => `u-${String(i).padStart(width, '0')}`);
}

/**
 * Generates a synthetic clickstream, deterministically from the seed.
 *
 * Users visit the site in bursts: a visit starts at a uniform time, belongs to a user drawn with
 * a Zipf skew, and has a geometric number of views (mean `viewsPerVisit`) spaced by exponential
 * gaps (mean `viewGapMs`); each view's page is drawn with a Zipf skew. Views arrive in event-time
 * order except a share delayed within the grace period (out of order, still counted) and a
 * smaller share delayed beyond window end plus grace (late: the per-minute count drops them).
 *
 * @param options - sizes, skews, shares of delayed views; see {@link ClickstreamOptions}
 * @returns the views in arrival order
 * @throws RangeError for non-positive sizes
 * @example
 * const stream = generateClickstream({ endMs: Date.now(), events: 1_000 });
 * const { key, value, timestamp } = stream.record(0);
 */
export function generateClickstream(options: ClickstreamOptions): Clickstream {
  const {
    endMs,
    events = 1_000_000,
    spanMs = 30 * 60_000,
    users = 5_000,
    pages = 50,
    seed = 42,
    pageSkew = 1.1,
    userSkew = 0.6,
    viewsPerVisit = 12,
    viewGapMs = 20_000,
    outOfOrderShare = 0.05,
    outOfOrderDelayMs = [500, 5_000],
    lateShare = 0.002,
    lateDelayMs = [75_000, 150_000],
  } = options;
  for (const [name, value] of Object.entries({ events, spanMs, users, pages, viewsPerVisit })) {
    if (!(value >= 1)) throw new RangeError(`generateClickstream: ${name} must be at least 1, got ${value}`);
  }
  if (pages > 65_535) throw new RangeError(`generateClickstream: at most 65535 pages, got ${pages}`);
  const random = seededRandom(seed);
  const pickPage = zipfSampler(pages, pageSkew, random);
  const pickUser = zipfSampler(users, userSkew, random);
  const startMs = endMs - spanMs;

  // Event time order: visits, each a run of views.
  const ts = new Float64Array(events);
  const userOf = new Uint32Array(events);
  const pageOf = new Uint16Array(events);
  // Each user is a random rank, so the busiest users are not u-0000, u-0001, ...
  const rankToUser = shuffled(users, random);
  let n = 0;
  while (n < events) {
    const user = rankToUser[pickUser.sample()]!;
    let t = startMs + Math.floor(random() * spanMs);
    // Geometric number of views with the given mean: continue with probability 1 - 1/mean.
    do {
      ts[n] = t;
      userOf[n] = user;
      pageOf[n] = pickPage.sample();
      n++;
      t += Math.max(1, Math.round(exponential(viewGapMs, random)));
    } while (n < events && t < endMs && random() >= 1 / viewsPerVisit);
  }

  // Arrival time = event time + delay; produce in arrival order (ties: generation order).
  const arrivalKind = new Uint8Array(events);
  const arrivalTime = new Float64Array(events);
  for (let i = 0; i < events; i++) {
    const u = random();
    let delay = 0;
    if (u < lateShare) {
      arrivalKind[i] = Arrival.late;
      delay = between(lateDelayMs, random);
    } else if (u < lateShare + outOfOrderShare) {
      arrivalKind[i] = Arrival.outOfOrder;
      delay = between(outOfOrderDelayMs, random);
    }
    arrivalTime[i] = ts[i]! + delay;
  }
  const order = arrivalOrder(arrivalTime, startMs);

  const timestamp = new Float64Array(events);
  const user = new Uint32Array(events);
  const page = new Uint16Array(events);
  const arrival = new Uint8Array(events);
  for (let to = 0; to < events; to++) {
    const from = order[to]!;
    timestamp[to] = ts[from]!;
    user[to] = userOf[from]!;
    page[to] = pageOf[from]!;
    arrival[to] = arrivalKind[from]!;
  }
  const names = { users: userNames(users), pages: pageNames(pages) };
  const view = (i: number): PageView => {
    const u = user[i] ?? 0;
    return { user: names.users[u]!, page: names.pages[page[i] ?? 0]!, ts: timestamp[i]!, device: DEVICES[u % DEVICES.length]! };
  };
  return {
    count: events,
    startMs,
    endMs,
    timestamp,
    user,
    page,
    arrival,
    userNames: names.users,
    pageNames: names.pages,
    view,
    record(i) {
      const v = view(i);
      return { key: v.user, value: JSON.stringify(v), timestamp: v.ts };
    },
  };
}

/** Indexes sorted by arrival time, ties in index order. */
function arrivalOrder(arrivalTime: Float64Array, startMs: number): ArrayLike<number> {
  const n = arrivalTime.length;
  const scale = 2 ** Math.ceil(Math.log2(n + 1));
  let latest = 0;
  for (const t of arrivalTime) latest = Math.max(latest, t - startMs);
  if ((latest + 1) * scale < Number.MAX_SAFE_INTEGER) {
    // One number per view, (arrival offset, index), sorted natively: much faster than a comparator.
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = (arrivalTime[i]! - startMs) * scale + i;
    keys.sort();
    return Uint32Array.from(keys, (key) => key % scale);
  }
  const order = Array.from({ length: n }, (_, i) => i);
  return order.sort((a, b) => arrivalTime[a]! - arrivalTime[b]! || a - b);
}

function between([low, high]: readonly [number, number], random: () => number): number {
  return Math.round(low + random() * (high - low));
}

/** 0..n-1 in a random order (Fisher-Yates). */
function shuffled(n: number, random: () => number): Uint32Array {
  const out = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
