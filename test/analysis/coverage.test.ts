import { describe, expect, test } from 'vitest';
import { pairedBootstrap } from '../../src/analysis/bootstrap.js';
import { createRandom } from '../../src/analysis/random.js';
import { normalSample } from '../fixtures/results/synthetic.js';

/**
 * How often the paired bootstrap interval contains 0 over many independent experiments of n
 * paired repetitions. Each repetition has its own machine drift, shared by both paths (that is
 * what pairing removes); `shiftUs` is the true difference.
 */
function containsZero(shiftUs: number, experiments: number, repetitions: number): number {
  const random = createRandom(20261129);
  let contains = 0;
  for (let e = 0; e < experiments; e++) {
    const direct: number[] = [];
    const relay: number[] = [];
    for (let r = 0; r < repetitions; r++) {
      const driftUs = normalSample(random, 100, 60);
      direct.push(normalSample(random, 400 + driftUs, 15));
      relay.push(normalSample(random, 400 + driftUs + shiftUs, 15));
    }
    const { delta } = pairedBootstrap(direct, relay, { random, resamples: 1000, confidence: 0.95 });
    if (delta.interval!.low <= 0 && delta.interval!.high >= 0) contains++;
  }
  return contains;
}

describe('interval calibration of the paired bootstrap', () => {
  test('A vs A over 200 experiments of n=10: the 95% interval contains 0 in about 90-97% of them', () => {
    // A percentile bootstrap over 10 pairs is slightly narrow (≈ 90-93 % actual coverage).
    const contains = containsZero(0, 200, 10);

    expect(contains).toBeGreaterThanOrEqual(170);
    expect(contains).toBeLessThanOrEqual(196);
  });

  test('a true +30 µs difference (7.5 % of the latency, under 60 µs of drift) is detected in most experiments', () => {
    expect(containsZero(30, 200, 10)).toBeLessThanOrEqual(10);
  });
});
