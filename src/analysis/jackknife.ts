// Delete-one-repetition jackknife: the uncertainty of a statistic computed from pooled repetitions
// (merged histograms, summed counters), with a Student t interval over the repetitions. Pure.

import { tQuantile } from './normal.js';
import type { Estimate } from '../metrics/analysis-result.js';

/** One-line description of the interval method, for the result and the reports. */
export function describeJackknife(confidence: number): string {
  return (
    `relay − direct: percentiles of the histograms merged over the paired repetitions (relay ÷ direct likewise); ` +
    `${Math.round(confidence * 100)}% interval = estimate ± t(n−1)·SE, SE from the delete-one-repetition jackknife ` +
    `(percentiles interpolated inside HDR buckets); the max gets no interval; n=1 gives no interval, n<5 is indicative only`
  );
}

/**
 * The estimate `full` (the statistic on all n repetitions) with an interval from its leave-one-out
 * values `leaveOut[i]` (the statistic without repetition i): SE² = (n−1)/n·Σ(θ₍ᵢ₎ − θ̄)² +
 * `extraVariance` (e.g. the resolution of the recorded values), half-width t(n−1, 1−α/2)·SE.
 * NaN leave-out values (a repetition whose removal leaves nothing) drop the interval.
 */
export function jackknifeEstimate(full: number, leaveOut: readonly number[], confidence: number, extraVariance = 0): Estimate {
  const n = leaveOut.length;
  if (n < 2) return { value: full, interval: null, n, note: `n=${n}, no interval` };
  if (leaveOut.some((x) => !Number.isFinite(x)) || !Number.isFinite(full)) {
    return { value: full, interval: null, n, note: 'a repetition without data, no interval' };
  }
  const mean = leaveOut.reduce((a, b) => a + b, 0) / n;
  const variance = ((n - 1) / n) * leaveOut.reduce((a, x) => a + (x - mean) ** 2, 0) + extraVariance;
  const half = tQuantile(1 - (1 - confidence) / 2, n - 1) * Math.sqrt(variance);
  const note = n < 5 ? `n=${n}, indicative interval` : undefined;
  return { value: full, interval: { low: full - half, high: full + half }, n, ...(note === undefined ? {} : { note }) };
}

/** Sums (numerator, denominator) pairs per repetition; the pooled ratio and its leave-one-out values. */
export function pooledRatio(parts: readonly { numerator: number; denominator: number }[]): { full: number; leaveOut: number[] } {
  const num = parts.reduce((a, p) => a + p.numerator, 0);
  const den = parts.reduce((a, p) => a + p.denominator, 0);
  return {
    full: den === 0 ? Number.NaN : num / den,
    leaveOut: parts.map((p) => (den - p.denominator === 0 ? Number.NaN : (num - p.numerator) / (den - p.denominator))),
  };
}
