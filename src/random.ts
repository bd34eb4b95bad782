// The one seeded pseudo-random generator of the harness (mulberry32): workloads draw sizes and
// Poisson gaps from it, so a scenario with a seed produces the same stream on every path and run;
// tests and fixtures simulate with it, so a statistical claim is proven by a reproducible sample.
// Not for cryptography. Pure: no global state, no clock.

/** A uniform source in [0, 1). */
export type Random = () => number;

/** The state used in place of seed 0 (2^32 / golden ratio). */
const ZERO_SEED_STATE = 0x9e3779b9;

/**
 * mulberry32 seeded with the low 32 bits of `seed` (any number; the fraction is dropped). The same
 * seed always yields the same sequence. Seed 0 (and any multiple of 2^32) starts from
 * `0x9e3779b9` instead: that is the stream scenarios with `seed: 0` have always drawn, kept so a
 * saved scenario reproduces its sizes and arrivals exactly.
 */
export function createRandom(seed: number): Random {
  let state = (Math.trunc(seed) >>> 0) || ZERO_SEED_STATE;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
