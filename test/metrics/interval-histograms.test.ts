import { describe, expect, test } from 'vitest';
import hdr from 'hdr-histogram-js';
import { createLatencyHistogram, createPackedLatencyHistogram, forEachRecorded, recordNs, summarize, type Histogram } from '../../src/metrics/histogram.js';
import { IntervalHistograms } from '../../src/metrics/interval-histograms.js';

/** Seeded LCG in [0, 1). */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x / 2_147_483_648;
  };
}

/** The recorded values as hdr-histogram-js's own iterator lists them. */
function iterated(h: Histogram): number[] {
  const out: number[] = [];
  const iterator = (h as hdr.JsHistogram).recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) {
    const step = iterator.next();
    out.push(step.valueIteratedTo, step.countAtValueIteratedTo);
  }
  return out;
}

describe('summaries without the iterator', () => {
  test('forEachRecorded and summarize agree exactly with hdr-histogram-js (flat and packed, seeded data)', () => {
    for (const seed of [1, 7, 42]) {
      const random = lcg(seed);
      for (const create of [createLatencyHistogram, createPackedLatencyHistogram]) {
        const h = create();
        for (let i = 0; i < 5000; i++) h.recordValue(1 + Math.floor(random() ** 4 * 2_000_000));
        const listed: number[] = [];
        forEachRecorded(h, (value, count) => listed.push(value, count));
        expect(listed).toEqual(iterated(h));
        const summary = summarize(h);
        expect(summary.meanUs).toBe(Math.round(h.mean * 10) / 10);
        expect(summary.stdDevUs).toBe(Math.round(h.stdDeviation * 10) / 10);
        expect(summary.count).toBe(5000);
        h.destroy();
      }
    }
  });
});

describe('IntervalHistograms', () => {
  test('every value lands in its interval exactly; the newest is reported once before the next, its flat view equal to it', () => {
    const startNs = 1_000_000n;
    const intervalNs = 10_000_000n;
    const intervals = new IntervalHistograms(startNs, intervalNs);
    const reference = Array.from({ length: 5 }, () => createLatencyHistogram());
    const reported: { index: number; count: number }[] = [];
    const random = lcg(3);
    // Intervals 0, 1, 3 and 4 get values (2 stays empty); some completions arrive slightly out of order.
    for (const index of [0, 1, 3, 4]) {
      for (let i = 0; i < 200; i++) {
        const atNs = startNs + BigInt(index) * intervalNs + BigInt(Math.floor(random() * Number(intervalNs)));
        const durationNs = BigInt(1000 + Math.floor(random() * 5_000_000));
        intervals.record(atNs, durationNs, (newest) => {
          // The flat mirror read at the report holds exactly the newest interval's values.
          const view = intervals.view(newest) as Histogram;
          expect(hdr.encodeIntoCompressedBase64(view)).toBe(hdr.encodeIntoCompressedBase64(intervals.list[newest] as Histogram));
          reported.push({ index: newest, count: view.totalCount });
        });
        recordNs(reference[index] as Histogram, durationNs);
      }
    }
    expect(reported).toEqual([
      { index: 0, count: 200 },
      { index: 1, count: 200 },
      { index: 3, count: 200 },
    ]);
    expect(intervals.list).toHaveLength(5);
    intervals.list.forEach((h, i) => {
      expect(h.totalCount).toBe(reference[i]?.totalCount);
      expect(hdr.encodeIntoCompressedBase64(h)).toBe(hdr.encodeIntoCompressedBase64(reference[i] as Histogram));
    });
    // A value before the start is not filed (BigInt division would put it in interval 0).
    intervals.record(startNs - 1n, 5000n, () => undefined);
    expect(intervals.list.reduce((n, h) => n + h.totalCount, 0)).toBe(800);
    intervals.destroy();
    expect(intervals.list).toHaveLength(0);
    for (const h of reference) h.destroy();
  });
});
