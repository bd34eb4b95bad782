// distributionOfRecord walks an encoding's buckets without decoding an HDR histogram: on seeded
// records of very different shapes it must equal the distribution of the decoded histogram exactly
// (values, counts, total, minimum), and an encoding of another layout still reads through HDR.

import hdr from 'hdr-histogram-js';
import { describe, expect, test } from 'vitest';
import { createRandom } from '../../src/random.js';
import { createLatencyHistogram, decodeRecord, recordUs, toRecord } from '../../src/metrics/histogram.js';
import { distributionOfHistogram, distributionOfRecord } from '../../src/analysis/distribution.js';
import type { HistogramRecord } from '../../src/metrics/result.js';

function seededRecord(seed: number, n: number, low: number, high: number): HistogramRecord {
  const random = createRandom(seed);
  const h = createLatencyHistogram();
  for (let i = 0; i < n; i++) recordUs(h, low * Math.pow(high / low, random()));
  const record = toRecord(h);
  h.destroy();
  return record;
}

const viaHdr = (record: HistogramRecord) => distributionOfHistogram(decodeRecord(record));

describe('distributionOfRecord', () => {
  test('equals the decoded histogram’s distribution on 40 seeded shapes (1 µs to 1 h, 1 to 30,000 values)', () => {
    const random = createRandom(7);
    for (let round = 0; round < 40; round++) {
      const low = 1 + Math.floor(Math.pow(10, random() * 8));
      const record = seededRecord(500 + round, 1 + Math.floor(Math.pow(10, random() * 4.5)), low, Math.min(low * (1.001 + random() * 1e4), 3_600_000_000));
      const fast = distributionOfRecord(record);
      expect(fast.total, `round ${round}`).toBe(record.summary.count);
      expect(fast, `round ${round}`).toStrictEqual(viaHdr(record));
    }
  });

  test('an encoding of another layout reads through the HDR decoder', () => {
    const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1_000_000, numberOfSignificantValueDigits: 2 });
    for (let v = 1; v < 5000; v += 7) h.recordValue(v);
    const record: HistogramRecord = { unit: 'us', summary: { count: h.totalCount, minUs: 0, meanUs: 0, stdDevUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0 }, encoded: hdr.encodeIntoCompressedBase64(h) };
    const d = distributionOfRecord(record);
    expect(d.total).toBe(h.totalCount);
    expect(d).toStrictEqual(viaHdr(record));
  });
});
