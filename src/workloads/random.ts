// Seeded pseudo-random numbers (mulberry32) and the size distributions drawn from them, so a
// scenario with a seed produces the same sizes and Poisson arrivals on every path and run.
// Pure: no I/O, no global state.

import type { SizeDistribution } from './types.js';

/** A seeded generator of floats in [0, 1). */
export type Random = () => number;

/** mulberry32 seeded with the low 32 bits of `seed` (any integer). Deterministic. */
export function createRandom(seed: number): Random {
  let state = (Math.trunc(seed) >>> 0) || 0x9e3779b9;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An exponential variate with mean 1 (unit-rate Poisson gap). */
export function exponential(random: Random): number {
  // 1 - u is in (0, 1], so the log is finite.
  return -Math.log(1 - random());
}

/** A function returning sizes in bytes: `fixedBytes` when no distribution, else drawn (>= minBytes). */
export function createSizeSampler(fixedBytes: number, distribution: SizeDistribution | undefined, random: Random, minBytes: number): () => number {
  if (distribution === undefined) return () => Math.max(minBytes, fixedBytes);
  if (distribution.distribution === 'uniform') {
    const lo = Math.min(distribution.minBytes, distribution.maxBytes);
    const span = Math.abs(distribution.maxBytes - distribution.minBytes) + 1;
    return () => Math.max(minBytes, lo + Math.floor(random() * span));
  }
  const values = distribution.bytes;
  const weights = distribution.weights ?? values.map(() => 1);
  const total = weights.reduce((sum, w) => sum + Math.max(0, w), 0);
  return () => {
    let x = random() * total;
    for (let i = 0; i < values.length; i++) {
      x -= Math.max(0, weights[i] ?? 0);
      if (x < 0) return Math.max(minBytes, values[i] ?? minBytes);
    }
    return Math.max(minBytes, values[values.length - 1] ?? minBytes);
  };
}
