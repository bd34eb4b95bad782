import { describe, expect, test } from 'vitest';
import {
  createLatencyHistogram,
  decodeRecord,
  HIGHEST_US,
  interpolatedPercentileUs,
  mergeRecords,
  nsToUs,
  recordNs,
  recordUs,
  summarize,
  toRecord,
} from '../../src/metrics/histogram.js';

describe('histogram (integer microseconds)', () => {
  test('nsToUs rounds half up to whole microseconds and never goes negative', () => {
    expect(nsToUs(499n)).toBe(0);
    expect(nsToUs(500n)).toBe(1);
    expect(nsToUs(51_349n)).toBe(51);
    expect(nsToUs(51_500n)).toBe(52);
    expect(nsToUs(-5n)).toBe(0);
    // The fast (double) path agrees with exact BigInt rounding up to its bound and beyond it.
    expect(nsToUs(999_999_999_999_499n)).toBe(999_999_999_999);
    expect(nsToUs(999_999_999_999_500n)).toBe(1_000_000_000_000);
    expect(nsToUs(1_000_000_000_000_499n)).toBe(1_000_000_000_000);
    expect(nsToUs(1_000_000_000_000_500n)).toBe(1_000_000_000_001);
    let x = 12_345n;
    for (let i = 0; i < 2000; i++) {
      x = (x * 6_364_136_223_846_793_005n + 1_442_695_040_888_963_407n) % 2_000_000_000_000_000n;
      expect(nsToUs(x)).toBe(Number((x + 500n) / 1000n));
      const small = x % 10_000_000_000n;
      expect(nsToUs(small)).toBe(Number((small + 500n) / 1000n));
    }
  });

  test('summarize orders percentiles and counts every value', () => {
    const h = createLatencyHistogram();
    for (let us = 1; us <= 1000; us++) recordUs(h, us);

    const s = summarize(h);

    expect(s.count).toBe(1000);
    expect(s.minUs).toBe(1);
    expect(s.p50Us).toBe(500);
    expect(s.p50Us).toBeLessThanOrEqual(s.p90Us);
    expect(s.p90Us).toBeLessThanOrEqual(s.p99Us);
    expect(s.p99Us).toBeLessThanOrEqual(s.p999Us);
    expect(s.p999Us).toBeLessThanOrEqual(s.maxUs);
    expect(s.maxUs).toBe(1000);
    h.destroy();
  });

  test('summarize of an empty histogram is all zeros', () => {
    const h = createLatencyHistogram();

    expect(summarize(h)).toEqual({ count: 0, minUs: 0, meanUs: 0, stdDevUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0 });
  });

  test('values above one hour are clamped instead of throwing', () => {
    const h = createLatencyHistogram();

    recordUs(h, HIGHEST_US * 10);
    recordNs(h, 2_000_000n);

    expect(h.totalCount).toBe(2);
    expect(summarize(h).maxUs).toBeLessThanOrEqual(HIGHEST_US * 1.001);
  });

  test('toRecord and decodeRecord round-trip the histogram', () => {
    const h = createLatencyHistogram();
    for (const us of [3, 50, 51, 700, 12_345]) recordUs(h, us);

    const record = toRecord(h);
    const decoded = decodeRecord(record);

    expect(record.unit).toBe('us');
    expect(summarize(decoded)).toEqual(record.summary);
  });

  test('mergeRecords is exact: counts add and extremes are kept', () => {
    const a = createLatencyHistogram();
    const b = createLatencyHistogram();
    for (let i = 0; i < 100; i++) recordUs(a, 10 + i);
    for (let i = 0; i < 50; i++) recordUs(b, 5000 + i);

    const merged = mergeRecords([toRecord(a), toRecord(b)]);

    expect(merged.summary.count).toBe(150);
    expect(merged.summary.minUs).toBe(10);
    expect(merged.summary.maxUs).toBeGreaterThanOrEqual(5049);
    expect(merged.summary.maxUs).toBeLessThan(5060);
  });
});

describe('interpolatedPercentileUs (inside the HDR bucket)', () => {
  /** The exact percentile of sorted samples (rank = p/100 × n, nearest rank). */
  const exact = (sorted: number[], p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;

  test.each([81_000, 40_000, 11_000])('round trips near %i µs: within 2 µs of the exact p50 and p90, where the plain p50 is up to a bucket high', (base) => {
    const h = createLatencyHistogram();
    // A seeded spread of 300 µs above `base` (a distant round trip and its noise), uniform in steps of 0.37 µs rounded.
    const samples = Array.from({ length: 811 }, (_, i) => Math.round(base + ((i * 0.37) % 300)));
    for (const s of samples) recordUs(h, s);
    const sorted = [...samples].sort((a, b) => a - b);
    for (const p of [50, 90]) {
      expect(Math.abs(interpolatedPercentileUs(h, p) - exact(sorted, p)), `p${p}`).toBeLessThanOrEqual(2);
    }
    const bucketUs = base >= 65_536 ? 64 : base >= 32_768 ? 32 : 8;
    const plain = summarize(h).p50Us;
    expect(plain - exact(sorted, 50)).toBeGreaterThanOrEqual(0);
    expect(plain - exact(sorted, 50)).toBeLessThan(bucketUs);
  });

  test('single-µs buckets: a value recorded n times is its own percentile within half a µs; empty is 0', () => {
    const h = createLatencyHistogram();
    for (let i = 0; i < 10; i++) recordUs(h, 150);
    expect(Math.abs(interpolatedPercentileUs(h, 50) - 150)).toBeLessThanOrEqual(0.5);
    expect(interpolatedPercentileUs(createLatencyHistogram(), 50)).toBe(0);
  });
});
