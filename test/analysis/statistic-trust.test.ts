// The per-statistic trust rule, proven by seeded simulation: true latencies T plus the generator's
// timing error E give measured M = T + E; every statistic the rule trusts obeys the documented
// bound T(q) <= M(q) <= T(q / (1 - (1 - q)/TAIL_SHARE)) + tolerance, and the two examples
// come out as stated (a 1 ms stall leaves an 11 ms p50 trusted, spoils a 170 µs p99.9).

import { describe, expect, test } from 'vitest';
import { createRandom, type Random } from '../../src/random.js';
import { judgeStatistic, NOISE_RANK, TAIL_SHARE, toleranceUs, type TrustedStat } from '../../src/analysis/statistic-trust.js';
import type { GeneratorNoise } from '../../src/metrics/result.js';

const N = 200_000;

function quantile(sorted: Float64Array, q: number): number {
  if (q >= 1) return sorted[sorted.length - 1]!;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Latencies around `medianUs` (log-normal-ish: exp of a sum of uniforms), seeded. */
function latencies(random: Random, medianUs: number, spread: number): Float64Array {
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) out[i] = medianUs * Math.exp(spread * (random() + random() + random() - 1.5));
  return out;
}

/** Generator timing error: small wake-up jitter, and with probability `stallShare` a stall of up to `stallUs`. */
function timingError(random: Random, jitterUs: number, stallShare: number, stallUs: number): Float64Array {
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) out[i] = random() * jitterUs + (random() < stallShare ? random() * stallUs : 0);
  return out;
}

const meanOf = (xs: Float64Array): number => xs.reduce((a, x) => a + x, 0) / xs.length;

function noiseOf(sortedE: Float64Array): GeneratorNoise {
  return {
    samples: sortedE.length,
    meanUs: meanOf(sortedE),
    p95Us: quantile(sortedE, 0.95),
    p99Us: quantile(sortedE, 0.99),
    p999Us: quantile(sortedE, 0.999),
    p9999Us: quantile(sortedE, 0.9999),
    maxUs: quantile(sortedE, 1),
  };
}

const RANKS: readonly [TrustedStat, number][] = [['p50', 0.5], ['p90', 0.9], ['p99', 0.99], ['p99.9', 0.999]];

function simulate(seed: number, medianUs: number, jitterUs: number, stallShare: number, stallUs: number) {
  const random = createRandom(seed);
  const t = latencies(random, medianUs, 0.6);
  const e = timingError(random, jitterUs, stallShare, stallUs);
  const m = new Float64Array(N);
  for (let i = 0; i < N; i++) m[i] = t[i]! + e[i]!;
  t.sort();
  e.sort();
  m.sort();
  return { t, m, noise: noiseOf(e) };
}

describe('per-statistic trust rule', () => {
  test('the noise rank of each statistic is 1 - (1 - q)/TAIL_SHARE', () => {
    expect(TAIL_SHARE).toBe(10);
    expect(NOISE_RANK).toMatchObject({ mean: 'meanUs', p50: 'p95Us', p90: 'p99Us', p99: 'p999Us', 'p99.9': 'p9999Us', max: 'maxUs' });
    expect(toleranceUs(100)).toBe(200);
    expect(toleranceUs(11_000)).toBe(2_750);
  });

  test('a 1 ms loop stall does not spoil the p50 of an 11 ms round trip; it does spoil the p99.9 of a 170 µs one', () => {
    const slow = simulate(1, 11_000, 60, 0.01, 1_000);
    expect(judgeStatistic(slow.noise, 'p50', quantile(slow.m, 0.5)).isTrusted).toBe(true);

    const fast = simulate(2, 170, 60, 0.01, 1_000);
    expect(judgeStatistic(fast.noise, 'p99.9', quantile(fast.m, 0.999)).isTrusted).toBe(false);
    expect(judgeStatistic(fast.noise, 'p50', quantile(fast.m, 0.5)).isTrusted).toBe(true);
  });

  test('every trusted statistic obeys the documented bound (seeded, 48 scenarios)', () => {
    let trusted = 0;
    let untrusted = 0;
    let seed = 100;
    for (const medianUs of [50, 170, 1_000, 11_000]) {
      for (const stallShare of [0, 0.001, 0.02]) {
        for (const stallUs of [300, 1_000, 5_000, 20_000]) {
          const { t, m, noise } = simulate(seed++, medianUs, 60, stallShare, stallUs);
          for (const [stat, q] of RANKS) {
            const measured = quantile(m, q);
            const judgement = judgeStatistic(noise, stat, measured);
            if (!judgement.isTrusted) {
              untrusted++;
              continue;
            }
            trusted++;
            // Lower bound: the error never makes a statistic smaller.
            expect(measured).toBeGreaterThanOrEqual(quantile(t, q));
            // Upper bound: the true value a little further into the tail, plus the tolerance.
            const shifted = Math.min(1, q / (1 - (1 - q) / TAIL_SHARE));
            expect(measured, `${stat} of ${medianUs} µs, stalls ${stallShare} × ${stallUs} µs`).toBeLessThanOrEqual(quantile(t, shifted) + judgement.toleranceUs);
          }
          // A trusted mean is off by at most its tolerance (the mean error is exactly the difference).
          const mean = judgeStatistic(noise, 'mean', meanOf(m));
          if (mean.isTrusted) expect(meanOf(m) - meanOf(t)).toBeLessThanOrEqual(mean.toleranceUs);
        }
      }
    }
    // Both outcomes occur, so the rule is exercised on each side.
    expect(trusted).toBeGreaterThan(50);
    expect(untrusted).toBeGreaterThan(20);
  });
});
