// Seeded pseudo-random numbers for resampling, so an analysis is reproducible from its seed.
// Not for cryptography; no global state, no clock.

/** A uniform source in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a small 32-bit generator with good statistical quality for bootstrap resampling.
 * The same `seed` (any integer) always yields the same sequence.
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An integer in [0, n). */
export function randomIndex(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}
