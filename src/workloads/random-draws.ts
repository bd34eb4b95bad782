// What the workloads draw from the seeded generator (src/random.ts): message sizes from a
// scenario's size distribution and unit-rate Poisson gaps. Pure: no I/O, no global state.

import type { Random } from '../random.js';
import type { SizeDistribution } from './types.js';

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
