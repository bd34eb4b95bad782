// The merge's histogram sums (metrics/sparse-counts.ts) against HdrHistogram's own add, on seeded
// histograms of very different shapes: bucket for bucket equal, the encoding read back by the HDR
// decoder, and malformed or foreign encodings refused with the reason.

import hdr from 'hdr-histogram-js';
import { describe, expect, test } from 'vitest';
import { createRandom } from '../../src/random.js';
import { createLatencyHistogram, recordUs } from '../../src/metrics/histogram.js';
import { addCounts, addEncodedCounts, emptyCounts, encodeCounts, histogramFromCounts } from '../../src/metrics/sparse-counts.js';
import { recordFromCounts, summarizeCounts } from '../../src/metrics/counts-summary.js';
import { summarize } from '../../src/metrics/histogram.js';

/** A seeded histogram: `n` values spread log-uniformly over [low, high) µs. */
function seeded(seed: number, n: number, low: number, high: number): string {
  const random = createRandom(seed);
  const h = createLatencyHistogram();
  for (let i = 0; i < n; i++) recordUs(h, low * Math.pow(high / low, random()));
  const encoded = hdr.encodeIntoCompressedBase64(h);
  h.destroy();
  return encoded;
}

const distribution = (encoded: string): string => hdr.decodeFromCompressedBase64(encoded, 64, false).outputPercentileDistribution(1, 1, false);

describe('sparse counts', () => {
  test.each([
    ['overlapping', [[1, 5000, 200, 2000], [2, 3000, 150, 5000], [3, 1, 900, 901]]],
    ['disjoint, far apart (the window grows both ways)', [[4, 2000, 50_000, 90_000], [5, 2000, 1, 30], [6, 100, 3_000_000_000, 3_500_000_000]]],
    ['with an empty one', [[7, 0, 1, 2], [8, 10_000, 1, 1_000_000]]],
  ] as const)('%s: the sum equals HDR add bucket for bucket, and its encoding reads back', (_what, specs) => {
    const encoded = specs.map(([seed, n, low, high]) => seeded(seed, n, low, high));
    const sum = emptyCounts();
    for (const e of encoded) addEncodedCounts(sum, e);
    const reference = createLatencyHistogram();
    for (const e of encoded) reference.add(hdr.decodeFromCompressedBase64(e, 64, false));
    // Compared as results store them (encoded, then decoded): a live histogram also tracks the exact max it was fed.
    const expected = distribution(hdr.encodeIntoCompressedBase64(reference));
    const rebuilt = histogramFromCounts(sum);
    expect(rebuilt.totalCount).toBe(reference.totalCount);
    expect(rebuilt.getValueAtPercentile(100)).toBe(reference.getValueAtPercentile(100));
    expect(distribution(hdr.encodeIntoCompressedBase64(rebuilt))).toBe(expected);
    expect(distribution(encodeCounts(sum))).toBe(expected);
    // The summary straight from the counts is HDR's own, to the bit (percentile ranks, mean, standard deviation).
    expect(summarizeCounts(sum)).toStrictEqual(summarize(rebuilt));
    expect(distribution(recordFromCounts(sum).encoded)).toBe(expected);
  });

  test('sums folded apart (as worker threads do) and added equal one fold of everything, bucket for bucket', () => {
    const specs = [[11, 3000, 1, 40], [12, 4000, 200, 9000], [13, 500, 2_000_000, 3_000_000_000], [14, 0, 1, 2], [15, 2500, 100, 300]] as const;
    const encoded = specs.map(([seed, n, low, high]) => seeded(seed, n, low, high));
    const whole = emptyCounts();
    for (const e of encoded) addEncodedCounts(whole, e);
    // Split three ways (one part empty), each part's window grown on its own, then added in another order.
    const parts = [emptyCounts(), emptyCounts(), emptyCounts()];
    for (const [i, e] of encoded.entries()) addEncodedCounts(parts[i % 2] ?? emptyCounts(), e);
    const sum = emptyCounts();
    for (const part of [parts[2], parts[1], parts[0]]) if (part !== undefined) addCounts(sum, part);
    expect(encodeCounts(sum)).toBe(encodeCounts(whole));
    expect(summarizeCounts(sum)).toStrictEqual(summarizeCounts(whole));
    expect(summarizeCounts(sum).count).toBe(10_000);
  });

  test('summaries from counts equal HDR summaries on 60 seeded shapes, counts from 1 to 30,000', () => {
    const random = createRandom(99);
    for (let round = 0; round < 60; round++) {
      const sum = emptyCounts();
      const parts = 1 + Math.floor(random() * 4);
      for (let p = 0; p < parts; p++) {
        const low = 1 + Math.floor(Math.pow(10, random() * 7));
        addEncodedCounts(sum, seeded(1000 + round * 10 + p, Math.floor(Math.pow(10, random() * 4.5)), low, low * (1.001 + random() * 1000)));
      }
      const rebuilt = histogramFromCounts(sum);
      expect(summarizeCounts(sum), `round ${round}`).toStrictEqual(summarize(rebuilt));
      rebuilt.destroy();
    }
    expect(summarizeCounts(emptyCounts())).toStrictEqual(summarize(createLatencyHistogram()));
  });

  test.each([
    ['not HDR', 'AAAAAAAAAAAA', /not a V2 compressed HdrHistogram encoding/],
    ['another layout', hdr.encodeIntoCompressedBase64(hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1000, numberOfSignificantValueDigits: 2 })), /another layout \(lowest 1, 2 digits\)/],
    ['over-long', 'A'.repeat(300 * 1024), /characters long/],
    ['not deflate inside', Buffer.from([0x1c, 0x84, 0x93, 0x14, 0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]).toString('base64'), /not valid deflate data/],
  ])('%s is refused', (_what, encoded, message) => {
    expect(() => addEncodedCounts(emptyCounts(), encoded)).toThrow(message);
  });
});
