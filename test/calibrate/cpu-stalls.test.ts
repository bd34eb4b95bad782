// The busy-loop stall probe: the ideal dispatch-lag quantile by hand-computed cases (a stall of g
// µs in a window of D makes an instant late by g − x with x uniform in the stall), and the
// measurement's invariants on this machine (never how many stalls it has).

import { describe, expect, test } from 'vitest';
import { idealLagQuantileUs, measureCpuStalls, STALL_FLOOR_US } from '../../src/calibrate/cpu-stalls.js';

describe('idealLagQuantileUs', () => {
  test('no stalls, or stalls covering less than 1 % of the window: p99 is 0', () => {
    expect(idealLagQuantileUs([], 1_000_000, 0.99)).toBe(0);
    expect(idealLagQuantileUs([3000, 2000, 4000], 1_000_000, 0.99)).toBe(0);
    expect(idealLagQuantileUs([1000], 100_000, 0.99)).toBe(0);
  });

  test('one stall of 2 ms in 100 ms: 1 % of instants are more than 1 ms late', () => {
    expect(idealLagQuantileUs([2000], 100_000, 0.99)).toBeCloseTo(1000, 6);
  });

  test('several stalls: the level L where the time above it is 1 % of the window', () => {
    // Window 1 s, budget 10,000 µs. Stalls 8000, 6000, 1000: above L = 2000 → 6000 + 4000 = 10,000.
    expect(idealLagQuantileUs([1000, 8000, 6000], 1_000_000, 0.99)).toBeCloseTo(2000, 6);
    // Above the shorter stall: L = 7000 leaves 1000 µs above it in one stall; 1 % of 100 ms is 1000.
    expect(idealLagQuantileUs([8000, 500], 100_000, 0.99)).toBeCloseTo(7000, 6);
  });

  test('higher quantiles are never lower', () => {
    const stalls = [50, 70, 300, 1200, 4000, 90, 25];
    const d = 500_000;
    const qs = [0.5, 0.9, 0.99, 0.999, 0.9999].map((q) => idealLagQuantileUs(stalls, d, q));
    for (let i = 1; i < qs.length; i++) expect(qs[i]).toBeGreaterThanOrEqual(qs[i - 1] ?? 0);
    expect(qs.at(-1)).toBeLessThanOrEqual(4000);
  });
});

describe('measureCpuStalls', () => {
  test('runs the window it was given and reports a consistent summary', () => {
    const s = measureCpuStalls(50);
    expect(s.durationMs).toBeGreaterThanOrEqual(50);
    expect(s.thresholdUs).toBe(STALL_FLOOR_US);
    expect(s.stalledPercent).toBeGreaterThanOrEqual(0);
    expect(s.stalledPercent).toBeLessThanOrEqual(100);
    if (s.stalls === 0) expect([s.longestUs, s.stalledPercent, s.idealLagP99Us]).toEqual([0, 0, 0]);
    else expect(s.longestUs).toBeGreaterThanOrEqual(STALL_FLOOR_US);
    expect(s.idealLagP99Us).toBeLessThanOrEqual(s.longestUs);
  });
});
