// How often this process is kept off the CPU while it wants to run: a busy loop reads the clock as
// fast as it can and every gap between two reads of at least STALL_FLOOR_US is a stall (the kernel
// ran something else, the hypervisor descheduled the vCPU, a page fault). No Node generator can be
// more punctual than this: an arrival that falls due inside a stall is served when it ends. The
// figure that says so is the ideal dispatch lag: the lateness of arrivals at uniformly random
// instants served by a generator that costs nothing, whose p99 is a floor under every open-model
// dispatch-lag p99 measured in the same conditions (issue #15). Blocks the event loop while it runs.

import { performance } from 'node:perf_hooks';
import type { CpuStalls } from '../metrics/calibration-result.js';

/** Smallest gap between two clock reads that counts as a stall, µs (an undisturbed read takes < 0.1 µs). */
export const STALL_FLOOR_US = 20;
/** Longest busy loop accepted, ms (it blocks the event loop). */
const MAX_DURATION_MS = 5000;
/** Stalls kept for the percentile (more are counted, not kept: 100,000 stalls is 0.8 MB). */
const MAX_KEPT = 100_000;

/**
 * The q-quantile (0..1) of the ideal dispatch lag, µs, given the stalls (µs) of a window of
 * `durationUs`: an instant inside a stall of length g, x into it, is late by g − x; elsewhere by 0.
 * P(lag > L) = Σ max(0, g − L) ÷ duration, so the quantile is the smallest L at which that share is
 * at most 1 − q. Pure; exported for tests.
 */
export function idealLagQuantileUs(stallsUs: readonly number[], durationUs: number, q: number): number {
  if (!(durationUs > 0) || stallsUs.length === 0) return 0;
  const budget = (1 - q) * durationUs;
  const sorted = [...stallsUs].sort((a, b) => b - a);
  // With the k longest stalls above L: Σ_{i<k} (g_i − L) = prefix_k − k·L; find L where it equals the budget.
  let prefix = 0;
  for (let k = 1; k <= sorted.length; k += 1) {
    prefix += sorted[k - 1] ?? 0;
    const next = sorted[k] ?? 0;
    // Between the k-th and (k+1)-th longest stall, the share above L is prefix − k·L.
    if (prefix - k * next >= budget) return Math.max(next, (prefix - budget) / k);
  }
  return 0;
}

/** Runs the busy loop for `durationMs` (at most 5 s) and summarizes its stalls. */
export function measureCpuStalls(durationMs: number): CpuStalls {
  const windowMs = Math.min(Math.max(durationMs, 1), MAX_DURATION_MS);
  const kept = new Float64Array(MAX_KEPT);
  const floorMs = STALL_FLOOR_US / 1000;
  let count = 0;
  let totalMs = 0;
  let longestMs = 0;
  const startMs = performance.now();
  let previousMs = startMs;
  let nowMs = startMs;
  while (nowMs - startMs < windowMs) {
    nowMs = performance.now();
    const gapMs = nowMs - previousMs;
    previousMs = nowMs;
    if (gapMs < floorMs) continue;
    if (count < MAX_KEPT) kept[count] = gapMs * 1000;
    count += 1;
    totalMs += gapMs;
    if (gapMs > longestMs) longestMs = gapMs;
  }
  const elapsedUs = (nowMs - startMs) * 1000;
  const stallsUs = Array.from(kept.subarray(0, Math.min(count, MAX_KEPT)));
  return {
    durationMs: Math.round(elapsedUs / 1000),
    thresholdUs: STALL_FLOOR_US,
    stalls: count,
    stalledPercent: elapsedUs > 0 ? Math.round((totalMs * 1000 * 10_000) / elapsedUs) / 100 : 0,
    longestUs: Math.round(longestMs * 1000),
    idealLagP99Us: Math.round(idealLagQuantileUs(stallsUs, elapsedUs, 0.99)),
  };
}
