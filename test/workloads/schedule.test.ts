import { describe, expect, test } from 'vitest';
import { createArrivalSchedule, rateAt } from '../../src/workloads/schedule.js';
import type { OpenLoad } from '../../src/workloads/types.js';

function take(load: OpenLoad, n: number): bigint[] {
  const schedule = createArrivalSchedule(load);
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const t = schedule.next();
    if (t === undefined) break;
    out.push(t);
  }
  return out;
}

describe('createArrivalSchedule', () => {
  test('constant arrivals are evenly spaced from t0 at 1/rate', () => {
    const times = take({ model: 'open', ratePerSec: 1000 }, 5);

    expect(times).toEqual([0n, 1_000_000n, 2_000_000n, 3_000_000n, 4_000_000n]);
  });

  test('poisson arrivals are reproducible by seed, differ across seeds, and keep the mean rate', () => {
    const a = take({ model: 'open', arrivals: 'poisson', ratePerSec: 1000, seed: 7 }, 20_000);
    const b = take({ model: 'open', arrivals: 'poisson', ratePerSec: 1000, seed: 7 }, 20_000);
    const c = take({ model: 'open', arrivals: 'poisson', ratePerSec: 1000, seed: 8 }, 20);

    expect(a).toEqual(b);
    expect(c).not.toEqual(a.slice(0, 20));
    const last = a[a.length - 1] ?? 0n;
    const meanGapMs = Number(last) / 1e6 / (a.length - 1);
    expect(meanGapMs).toBeGreaterThan(0.95);
    expect(meanGapMs).toBeLessThan(1.05);
    for (let i = 1; i < a.length; i++) expect((a[i] ?? 0n) >= (a[i - 1] ?? 0n)).toBe(true);
  });

  test('a linear ramp schedules the integral of the rate', () => {
    // 0 -> 1000/s over 1 s is 500 arrivals, then 1000/s holds.
    const load: OpenLoad = { model: 'open', ratePerSec: 0, stages: [{ durationMs: 1000, targetRatePerSec: 1000 }] };
    const times = take(load, 1500);

    const inFirstSecond = times.filter((t) => t < 1_000_000_000n).length;
    const inSecondSecond = times.filter((t) => t >= 1_000_000_000n && t < 2_000_000_000n).length;
    expect(inFirstSecond).toBeGreaterThanOrEqual(499);
    expect(inFirstSecond).toBeLessThanOrEqual(501);
    expect(inSecondSecond).toBeGreaterThanOrEqual(999);
    expect(rateAt(load, 0.5)).toBeCloseTo(500, 6);
  });

  test('ends when the rate drops to zero for good', () => {
    const times = take({ model: 'open', ratePerSec: 100, stages: [{ durationMs: 100, targetRatePerSec: 0 }] }, 100);

    expect(times.length).toBeGreaterThanOrEqual(4);
    expect(times.length).toBeLessThanOrEqual(6);
  });
});
