// The per-statistic trust rule, proven by seeded simulation: true latencies T plus the generator's
// timing error E give measured M = T + E; every statistic the rule trusts obeys the documented
// bound T(q) <= M(q) <= T(q / (1 - (1 - q)/TAIL_SHARE)) + tolerance, and the two examples
// come out as stated (a 1 ms stall leaves an 11 ms p50 trusted, spoils a 170 µs p99.9).

import { describe, expect, test } from 'vitest';
import { createRandom, type Random } from '../../src/random.js';
import { judgeStatistic, NOISE_RANK, shiftBoundUs, TAIL_SHARE, toleranceUs, type TrustedStat } from '../../src/analysis/statistic-trust.js';
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
    p50Us: quantile(sortedE, 0.5),
    p75Us: quantile(sortedE, 0.75),
    p90Us: quantile(sortedE, 0.9),
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

  test('the rank-shift bound holds: 0 <= M(q) - T(q) <= min over b of M(q) - M(q·b) + N(b), seeded, 48 scenarios', () => {
    let seed = 500;
    let checked = 0;
    for (const medianUs of [50, 250, 1_000, 11_000]) {
      for (const stallShare of [0, 0.05, 0.3]) {
        for (const stallUs of [300, 2_000, 5_000, 20_000]) {
          const { t, m, noise } = simulate(seed++, medianUs, 60, stallShare, stallUs);
          for (const [, q] of RANKS) {
            const bound = shiftBoundUs((rank) => quantile(m, rank), noise, q);
            const error = quantile(m, q) - quantile(t, q);
            expect(error).toBeGreaterThanOrEqual(0);
            // Sample quantiles of 200k draws: a 1 µs allowance for the discrete ranks.
            expect(error, `q ${q} of ${medianUs} µs, stalls ${stallShare} × ${stallUs} µs`).toBeLessThanOrEqual(bound + 1);
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(48 * RANKS.length);
  });

  test('a generator woken late 10 % of the time (N(p95) ~2 ms) keeps a 250 µs p50 trusted by the bound, not by the first rule', () => {
    const { m, noise } = simulate(7, 250, 60, 0.1, 4_000);
    const p50 = quantile(m, 0.5);
    expect(noise.p95Us).toBeGreaterThan(toleranceUs(p50)); // the first rule alone condemns it
    expect(judgeStatistic(noise, 'p50', p50).isTrusted).toBe(false);
    const judged = judgeStatistic(noise, 'p50', p50, (rank) => quantile(m, rank));
    expect(judged.isTrusted).toBe(true);
    expect(judged.shiftBoundUs).toBeLessThanOrEqual(judged.toleranceUs);
    // The same stalls do spoil the p99 (the bound cannot rescue a rank the stalls reach).
    expect(judgeStatistic(noise, 'p99', quantile(m, 0.99), (rank) => quantile(m, rank)).isTrusted).toBe(false);
  });

  test('the bound condemns a statistic when most samples are late (N(p50) above the tolerance)', () => {
    const { m, noise } = simulate(9, 250, 60, 0.7, 4_000);
    const p50 = quantile(m, 0.5);
    expect(judgeStatistic(noise, 'p50', p50, (rank) => quantile(m, rank)).isTrusted).toBe(false);
  });
});
