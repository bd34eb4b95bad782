// Paired bootstrap over repetitions: the interval of a mean delta and of a ratio of means.
// Pure: the seeded Random is passed in; no clock, no I/O.

import { randomIndex, type Random } from './random.js';
import type { Estimate } from './types.js';

/** Options of the paired bootstrap. */
export interface BootstrapOptions {
  random: Random;
  /** Number of resamples (e.g. 2000). */
  resamples: number;
  /** Two-sided confidence level in (0, 1), e.g. 0.95. */
  confidence: number;
}

/** One-line description of the method, for the result and the reports. */
export function describeBootstrap(options: Omit<BootstrapOptions, 'random'>, seed: number): string {
  return (
    `relay − direct: mean of per-repetition paired deltas; ${Math.round(options.confidence * 100)}% percentile-bootstrap ` +
    `interval over repetitions (${options.resamples} resamples, seed ${seed}); n=1 gives no interval, n<5 is indicative only`
  );
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The `q` quantile (0..1) of sorted values, linear interpolation. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const a = sorted[lower] ?? Number.NaN;
  const b = sorted[upper] ?? a;
  return a + (b - a) * (position - lower);
}

/**
 * Mean paired delta (relay − direct) and ratio of means (relay ÷ direct) with percentile-bootstrap
 * intervals. `direct[i]` and `relay[i]` are the same repetition. Units are the caller's.
 */
export function pairedBootstrap(
  direct: readonly number[],
  relay: readonly number[],
  options: BootstrapOptions,
): { delta: Estimate; ratio: Estimate | null } {
  const n = Math.min(direct.length, relay.length);
  const deltas = Array.from({ length: n }, (_, i) => (relay[i] ?? 0) - (direct[i] ?? 0));
  const directMean = mean(direct.slice(0, n));
  const relayMean = mean(relay.slice(0, n));
  const deltaValue = mean(deltas);
  const ratioValue = directMean === 0 ? null : relayMean / directMean;
  if (n < 2) {
    const note = `n=${n}, no interval`;
    return {
      delta: { value: deltaValue, interval: null, n, note },
      ratio: ratioValue === null ? null : { value: ratioValue, interval: null, n, note },
    };
  }
  const deltaStats: number[] = [];
  const ratioStats: number[] = [];
  for (let b = 0; b < options.resamples; b++) {
    let sumDirect = 0;
    let sumRelay = 0;
    for (let j = 0; j < n; j++) {
      const i = randomIndex(options.random, n);
      sumDirect += direct[i] ?? 0;
      sumRelay += relay[i] ?? 0;
    }
    deltaStats.push((sumRelay - sumDirect) / n);
    if (sumDirect !== 0) ratioStats.push(sumRelay / sumDirect);
  }
  const alpha = 1 - options.confidence;
  const interval = (stats: number[]) => {
    stats.sort((x, y) => x - y);
    return { low: quantileSorted(stats, alpha / 2), high: quantileSorted(stats, 1 - alpha / 2) };
  };
  const note = n < 5 ? `n=${n}, indicative interval` : undefined;
  const withNote = note === undefined ? {} : { note };
  return {
    delta: { value: deltaValue, interval: interval(deltaStats), n, ...withNote },
    ratio: ratioValue === null ? null : { value: ratioValue, interval: ratioStats.length > 0 ? interval(ratioStats) : null, n, ...withNote },
  };
}
