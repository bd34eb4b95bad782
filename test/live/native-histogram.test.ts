// HDR histograms as native histograms: on seeded latencies spread over four decades, every native
// bucket holds exactly the HDR values (highest equivalents) inside its bounds, the counts add up to
// the HDR count, and the bucket where the cumulative count crosses a quantile's rank holds HDR's
// own value of that quantile, so the stated error bound is the bucket width.

import { describe, expect, test } from 'vitest';
import type { JsHistogram } from 'hdr-histogram-js';
import { NATIVE_RELATIVE_ERROR, NATIVE_SCHEMA, nativeBucketIndex, nativeBucketUpper, toNativeHistogram, type NativeHistogram } from '../../src/live/native-histogram.js';
import { createLatencyHistogram, recordUs, type Histogram } from '../../src/metrics/histogram.js';
import { createRandom } from '../../src/random.js';

/** Bucket index to count, from spans and deltas. */
function buckets(native: NativeHistogram): Map<number, number> {
  const out = new Map<number, number>();
  let index = 0;
  let count = 0;
  let d = 0;
  native.positiveSpans.forEach((span, i) => {
    index += i === 0 ? span.offset : span.offset + 1;
    for (let j = 0; j < span.length; j++, d++) {
      if (j > 0) index += 1;
      count += native.positiveDeltas[d]!;
      out.set(index, count);
    }
  });
  expect(d).toBe(native.positiveDeltas.length);
  return out;
}

function seeded(seed: number, n: number): Histogram {
  const random = createRandom(seed);
  const h = createLatencyHistogram();
  // Log-uniform over 50 µs .. 500 ms, plus a few zeros.
  for (let i = 0; i < n; i++) recordUs(h, i % 997 === 0 ? 0 : 50 * 10 ** (4 * random()));
  return h;
}

describe('toNativeHistogram', () => {
  test('bucket bounds: powers of two are upper bounds, the next value is in the next bucket', () => {
    expect(nativeBucketIndex(1)).toBe(0);
    expect(nativeBucketIndex(2)).toBe(2 ** NATIVE_SCHEMA);
    expect(nativeBucketIndex(0.5)).toBe(-(2 ** NATIVE_SCHEMA));
    expect(nativeBucketIndex(1.000001)).toBe(1);
    for (const seconds of [0.000001, 0.000123, 0.0421, 3.7, 3599]) {
      const i = nativeBucketIndex(seconds);
      expect(nativeBucketUpper(i - 1)).toBeLessThan(seconds);
      expect(nativeBucketUpper(i)).toBeGreaterThanOrEqual(seconds);
    }
    expect(NATIVE_RELATIVE_ERROR).toBeCloseTo(0.01089, 4);
  });

  test.each([1, 2, 3])('seed %i: counts exact per bucket, quantile buckets hold HDR quantiles', (seed) => {
    const h = seeded(seed, 20_000);
    const native = toNativeHistogram(h);
    const got = buckets(native);

    // Expected: every HDR bucket's count filed by its highest equivalent value.
    const expected = new Map<number, number>();
    let zeros = 0;
    const iterator = (h as JsHistogram).recordedValuesIterator;
    iterator.reset();
    while (iterator.hasNext()) {
      const step = iterator.next();
      if (step.valueIteratedTo === 0) zeros += step.countAtValueIteratedTo;
      else {
        const index = nativeBucketIndex(step.valueIteratedTo / 1e6);
        expected.set(index, (expected.get(index) ?? 0) + step.countAtValueIteratedTo);
      }
    }
    expect(native.schema).toBe(NATIVE_SCHEMA);
    expect(native.zeroCount).toBe(zeros);
    expect(zeros).toBeGreaterThan(0);
    expect(native.count).toBe(h.totalCount);
    expect([...got.entries()].filter(([, c]) => c > 0)).toEqual([...expected.entries()].sort((a, b) => a[0] - b[0]));
    expect([...got.values()].reduce((a, b) => a + b, 0) + zeros).toBe(h.totalCount);
    expect(native.sum).toBeCloseTo((h.mean * h.totalCount) / 1e6, 9);

    for (const q of [0.5, 0.9, 0.99, 0.999]) {
      const own = h.getValueAtPercentile(q * 100) / 1e6;
      let cumulative = zeros;
      let crossing: number | undefined;
      for (const [index, c] of [...got.entries()].sort((a, b) => a[0] - b[0])) {
        cumulative += c;
        if (cumulative >= q * native.count) {
          crossing = index;
          break;
        }
      }
      expect(crossing).toBe(nativeBucketIndex(own));
      const lower = nativeBucketUpper(crossing! - 1);
      const upper = nativeBucketUpper(crossing!);
      // Any estimate inside the bucket is within the stated error of HDR's own value.
      expect(upper - lower).toBeLessThanOrEqual(own * NATIVE_RELATIVE_ERROR * (1 + 1e-12));
    }
    h.destroy();
  });

  test('an empty histogram is count 0, sum 0, no buckets', () => {
    const h = createLatencyHistogram();
    expect(toNativeHistogram(h)).toEqual({ count: 0, sum: 0, schema: NATIVE_SCHEMA, zeroCount: 0, positiveSpans: [], positiveDeltas: [] });
    h.destroy();
  });
});
