// The result record (summary + encoding) of a histogram sum held as sparse counts, computed in one
// pass over the summed buckets instead of building an HDR histogram and iterating its ~23,000
// buckets once per percentile, mean and standard deviation. The figures are HdrHistogram's own,
// to the bit: the same bucket values (its value functions), the same percentile rank rule (ulp
// correction included) and the same order of floating-point sums as `summarize(histogram)`.

import type { HistogramRecord, LatencySummary } from './result.js';
import { createLatencyHistogram, type Histogram } from './histogram.js';
import { encodeCounts, type SparseCounts } from './sparse-counts.js';

/** HdrHistogram's value functions for the latency layout (one instance, never recorded into). */
interface ValueFunctions {
  valueFromIndex(index: number): number;
  lowestEquivalentValue(value: number): number;
  highestEquivalentValue(value: number): number;
  medianEquivalentValue(value: number): number;
}
let layout: (Histogram & ValueFunctions) | undefined;

/** The percentiles `summarize` reports, with their summary keys. */
const PERCENTILES = [
  [50, 'p50Us'],
  [90, 'p90Us'],
  [99, 'p99Us'],
  [99.9, 'p999Us'],
  [100, 'maxUs'],
] as const;

/** HdrHistogram's count rank of a percentile: rounded up, minus one ulp of float error, at least 1. */
function rankOf(percentile: number, totalCount: number): number {
  const fp = (Math.min(percentile, 100) / 100) * totalCount;
  return Math.max(Math.ceil(fp - Math.pow(2, Math.floor(Math.log2(fp)) - 52)), 1);
}

/** Equal to `summarize(histogramFromCounts(sum))`, field for field. */
export function summarizeCounts(sum: SparseCounts): LatencySummary {
  const h = (layout ??= createLatencyHistogram() as Histogram & ValueFunctions);
  const { offset, counts } = sum;
  let totalCount = 0;
  let totalValue = 0;
  let first = -1;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] as number;
    if (count === 0) continue;
    if (first < 0) first = i;
    totalCount += count;
    totalValue += h.medianEquivalentValue(h.valueFromIndex(offset + i)) * count;
  }
  if (totalCount === 0) return { count: 0, minUs: 0, meanUs: 0, stdDevUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0 };
  const mean = totalValue / totalCount;
  let deviationTotal = 0;
  const values: Partial<Record<(typeof PERCENTILES)[number][1], number>> = {};
  let next = 0;
  let rank = rankOf(PERCENTILES[0][0], totalCount);
  let cumulative = 0;
  for (let i = first; i < counts.length; i++) {
    const count = counts[i] as number;
    if (count === 0) continue;
    const value = h.valueFromIndex(offset + i);
    const deviation = h.medianEquivalentValue(value) - mean;
    deviationTotal += deviation * deviation * count;
    cumulative += count;
    while (next < PERCENTILES.length && cumulative >= rank) {
      values[(PERCENTILES[next] as (typeof PERCENTILES)[number])[1]] = h.highestEquivalentValue(value);
      next++;
      if (next < PERCENTILES.length) rank = rankOf((PERCENTILES[next] as (typeof PERCENTILES)[number])[0], totalCount);
    }
  }
  const round1 = (x: number): number => Math.round(x * 10) / 10;
  return {
    count: totalCount,
    minUs: h.lowestEquivalentValue(h.valueFromIndex(offset + first)),
    meanUs: round1(mean),
    stdDevUs: round1(Math.sqrt(deviationTotal / totalCount)),
    p50Us: values.p50Us ?? 0,
    p90Us: values.p90Us ?? 0,
    p99Us: values.p99Us ?? 0,
    p999Us: values.p999Us ?? 0,
    maxUs: values.maxUs ?? 0,
  };
}

/** The record `toRecord(histogramFromCounts(sum))` gives (same summary, an encoding of the same buckets), without the HDR histogram. */
export function recordFromCounts(sum: SparseCounts): HistogramRecord {
  return { unit: 'us', summary: summarizeCounts(sum), encoded: encodeCounts(sum) };
}
