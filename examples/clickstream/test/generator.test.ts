import { describe, expect, it } from 'vitest';
import { Arrival, generateClickstream, pageNames } from '../src/generator.js';
import { WINDOW_GRACE_MS, WINDOW_SIZE_MS } from '../src/topology.js';

const END = Date.parse('2026-11-26T10:00:00Z');

describe('generateClickstream', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = generateClickstream({ endMs: END, events: 20_000, seed: 7 });
    const b = generateClickstream({ endMs: END, events: 20_000, seed: 7 });
    const c = generateClickstream({ endMs: END, events: 20_000, seed: 8 });
    expect(b.timestamp).toEqual(a.timestamp);
    expect(b.user).toEqual(a.user);
    expect(b.page).toEqual(a.page);
    expect(b.arrival).toEqual(a.arrival);
    expect(b.record(123)).toEqual(a.record(123));
    expect(c.timestamp).not.toEqual(a.timestamp);
  });

  it('produces the requested number of views inside the event-time span, as JSON keyed by user', () => {
    const stream = generateClickstream({ endMs: END, events: 10_000, spanMs: 600_000 });
    expect(stream.count).toBe(10_000);
    expect(stream.startMs).toBe(END - 600_000);
    expect(Math.min(...stream.timestamp)).toBeGreaterThanOrEqual(END - 600_000);
    expect(Math.max(...stream.timestamp)).toBeLessThan(END);
    const { key, value, timestamp } = stream.record(42);
    const view = JSON.parse(value);
    expect(view).toEqual({ user: key, page: expect.stringMatching(/^\//), ts: timestamp, device: expect.stringMatching(/^(desktop|mobile|tablet)$/) });
  });

  it('skews page popularity (Zipf): the home page leads and the tail is thin', () => {
    const stream = generateClickstream({ endMs: END, events: 200_000, pages: 50 });
    const counts = new Array<number>(50).fill(0);
    for (const page of stream.page) counts[page]!++;
    const share = counts.map((n) => n / stream.count);
    expect(stream.pageNames[0]).toBe('/');
    expect(share[0]).toBeGreaterThan(0.18);
    expect(share[0]).toBeLessThan(0.28);
    expect(share.slice(0, 5).reduce((a, b) => a + b)).toBeGreaterThan(0.45);
    expect(share[49]).toBeLessThan(0.01);
    expect(share[49]).toBeGreaterThan(0);
    // Popularity falls with the rank.
    expect(counts[0]).toBeGreaterThan(counts[1]!);
    expect(counts[1]).toBeGreaterThan(counts[9]!);
    expect(counts[9]).toBeGreaterThan(counts[49]!);
  });

  it('delays the requested shares of views: out of order within the grace period, late beyond window end plus grace', () => {
    const stream = generateClickstream({ endMs: END, events: 200_000, outOfOrderShare: 0.05, lateShare: 0.002 });
    const kinds = [0, 0, 0];
    for (const kind of stream.arrival) kinds[kind]!++;
    expect(kinds[Arrival.outOfOrder]! / stream.count).toBeCloseTo(0.05, 2);
    expect(kinds[Arrival.late]! / stream.count).toBeGreaterThan(0.0015);
    expect(kinds[Arrival.late]! / stream.count).toBeLessThan(0.0025);
    // Judged against the latest event time before it in arrival order (the stream time of a
    // task that sees every view): late views are past their window's end + grace, the others are not.
    let streamTime = Number.NEGATIVE_INFINITY;
    let lateBehind = 0;
    let onTimeBehind = 0;
    let maxDelayOnTime = 0;
    for (let i = 0; i < stream.count; i++) {
      const t = stream.timestamp[i]!;
      const closed = Math.floor(t / WINDOW_SIZE_MS) * WINDOW_SIZE_MS + WINDOW_SIZE_MS <= streamTime - WINDOW_GRACE_MS;
      if (stream.arrival[i] === Arrival.late) {
        if (closed) lateBehind++;
      } else {
        if (closed) onTimeBehind++;
        maxDelayOnTime = Math.max(maxDelayOnTime, streamTime - t);
      }
      streamTime = Math.max(streamTime, t);
    }
    expect(onTimeBehind).toBe(0);
    // Out-of-order views arrive less than the grace period after their event time.
    expect(maxDelayOnTime).toBeGreaterThan(0);
    expect(maxDelayOnTime).toBeLessThan(WINDOW_GRACE_MS);
    // A late view is only judged late if the stream has moved on; at the very start it has not.
    expect(lateBehind).toBeGreaterThan(kinds[Arrival.late]! * 0.95);
  });

  it('names pages from the home page down to products', () => {
    expect(pageNames(12)).toEqual(['/', '/search', '/cart', '/checkout', '/deals', '/account', '/login', '/help', '/blog', '/about', '/product/001', '/product/002']);
  });
});
