// Latency histograms: creation with fixed ranges, ns -> µs conversion, summaries, encoding,
// decoding and exact merging. Pure data handling: no clocks, no sockets, no I/O.

import hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { HistogramRecord, LatencySummary, ThroughputRecord } from './result.js';

export type { Histogram };

/** Lowest discernible value, in MICROSECONDS (1 µs). */
export const LOWEST_US = 1;
/** Highest trackable value, in MICROSECONDS: 1 hour = 3_600_000_000 µs. Larger values are clamped. */
export const HIGHEST_US = 3_600_000_000;
/** Significant decimal digits kept: 3, i.e. a relative error of at most 0.1 %. */
export const SIGNIFICANT_DIGITS = 3;

/**
 * A new, empty latency histogram in integer MICROSECONDS (1 µs .. 1 h, 3 significant digits).
 * Uses the pure JavaScript implementation (no WebAssembly) with 64-bit (float) counters, so
 * `destroy()` is a no-op, but callers still call it (house style).
 */
export function createLatencyHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: LOWEST_US,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    bitBucketSize: 64,
    autoResize: false,
    useWebAssembly: false,
  });
}

/**
 * Like createLatencyHistogram (same unit, range and precision) but with packed counters, whose
 * memory grows with the number of distinct values instead of the range (~190 kB): for the many
 * short interval histograms of a long run.
 */
export function createPackedLatencyHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: LOWEST_US,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    bitBucketSize: 'packed',
    autoResize: false,
    useWebAssembly: false,
  });
}

/** Nanoseconds (as from `Clock.nowNs()` differences) to integer microseconds, rounded half up; negatives become 0. */
export function nsToUs(durationNs: bigint): number {
  if (durationNs <= 0n) return 0;
  // Below 1e15 ns (11 days) the double arithmetic is exact and allocates nothing (the generator
  // records several samples per transaction); beyond it, BigInt division.
  const ns = Number(durationNs);
  return ns < 1e15 ? Math.floor((ns + 500) / 1000) : Number((durationNs + 500n) / 1000n);
}

/** Records one value in integer microseconds; non-integers are rounded, values outside 0..HIGHEST_US are clamped. */
export function recordUs(histogram: Histogram, valueUs: number): void {
  const rounded = Math.round(valueUs);
  const clamped = Number.isFinite(rounded) ? Math.min(Math.max(rounded, 0), HIGHEST_US) : HIGHEST_US;
  histogram.recordValue(clamped);
}

/** Records one duration given in nanoseconds, converted to integer microseconds by rounding. */
export function recordNs(histogram: Histogram, durationNs: bigint): void {
  recordUs(histogram, nsToUs(durationNs));
}

/**
 * Percentile summary in integer microseconds (mean and stdDev rounded to 0.1 µs); all zero when
 * empty. Percentiles and max are HDR bucket values (at most 0.1 % above the recorded value), so a
 * summary recomputed from the encoded histogram is identical and p50 <= p99 <= max always holds.
 */
export function summarize(histogram: Histogram): LatencySummary {
  const count = histogram.totalCount;
  if (count === 0) {
    return { count: 0, minUs: 0, meanUs: 0, stdDevUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0 };
  }
  const round1 = (x: number): number => Math.round(x * 10) / 10;
  const { mean, stdDev } = meanAndStdDev(histogram);
  return {
    count,
    minUs: histogram.getValueAtPercentile(0),
    meanUs: round1(mean),
    stdDevUs: round1(stdDev),
    p50Us: histogram.getValueAtPercentile(50),
    p90Us: histogram.getValueAtPercentile(90),
    p99Us: histogram.getValueAtPercentile(99),
    p999Us: histogram.getValueAtPercentile(99.9),
    maxUs: histogram.getValueAtPercentile(100),
  };
}

/**
 * A histogram's recorded values in ascending order, as its recorded-values iterator gives them
 * (each index's highest equivalent value, µs, and its count), read straight from the counts: the
 * iterator allocates per step and takes milliseconds on a full histogram, which a live generator
 * pays every interval.
 */
export function forEachRecorded(histogram: Histogram, visit: (valueUs: number, count: number) => void): void {
  if (!(histogram instanceof hdr.JsHistogram)) {
    for (const step of recordedSteps(histogram)) visit(step.valueIteratedTo, step.countAtValueIteratedTo);
    return;
  }
  const last = histogram.countsArrayLength;
  for (let i = 0, seen = 0; i < last && seen < histogram.totalCount; i++) {
    const count = histogram.getCountAtIndex(i);
    if (count === 0) continue;
    seen += count;
    visit(histogram.highestEquivalentValue(histogram.valueFromIndex(i)), count);
  }
}

/**
 * The `percentile` of `histogram` (µs) with linear interpolation inside the HDR bucket it falls in,
 * for figures whose bound is finer than a bucket: `getValueAtPercentile` answers with the bucket's
 * highest equivalent value, which with 3 significant digits is up to 31 µs high at 40 ms and 63 µs
 * at 81 ms. Values are recorded rounded to whole µs, so a bucket [lo, hi] covers [lo − 0.5, hi + 0.5).
 * Fractional; 0 when empty.
 */
export function interpolatedPercentileUs(histogram: Histogram, percentile: number): number {
  const total = histogram.totalCount;
  if (total === 0) return 0;
  if (!(histogram instanceof hdr.JsHistogram)) return histogram.getValueAtPercentile(percentile);
  const js = histogram;
  const rank = (Math.min(Math.max(percentile, 0), 100) / 100) * total;
  let below = 0;
  let result: number | undefined;
  forEachRecorded(histogram, (valueUs, count) => {
    if (result !== undefined) return;
    if (below + count >= rank) {
      const low = js.lowestEquivalentValue(valueUs) - 0.5;
      result = low + (js.sizeOfEquivalentValueRange(valueUs) * (rank - below)) / count;
    }
    below += count;
  });
  return result ?? histogram.getValueAtPercentile(percentile);
}

/** The (allocating) iterator, for a histogram that is not the JavaScript implementation. */
function* recordedSteps(histogram: Histogram): Generator<{ valueIteratedTo: number; countAtValueIteratedTo: number }> {
  const iterator = (histogram as hdr.JsHistogram).recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) yield iterator.next();
}

/** Mean and standard deviation exactly as hdr-histogram-js computes them (same values, same order), in one pass each. */
function meanAndStdDev(histogram: Histogram): { mean: number; stdDev: number } {
  if (!(histogram instanceof hdr.JsHistogram)) return { mean: histogram.mean, stdDev: histogram.stdDeviation };
  const js = histogram;
  const median = (valueUs: number): number => js.medianEquivalentValue(valueUs);
  let total = 0;
  forEachRecorded(histogram, (valueUs, count) => (total += median(valueUs) * count));
  const mean = total / histogram.totalCount;
  let deviations = 0;
  forEachRecorded(histogram, (valueUs, count) => {
    const deviation = median(valueUs) - mean;
    deviations += deviation * deviation * count;
  });
  return { mean, stdDev: Math.sqrt(deviations / histogram.totalCount) };
}

/** The histogram as a result record: summary plus `encodeIntoCompressedBase64`. */
export function toRecord(histogram: Histogram): HistogramRecord {
  return { unit: 'us', summary: summarize(histogram), encoded: hdr.encodeIntoCompressedBase64(histogram) };
}

/** Decodes a record's histogram (64-bit counters, JS implementation) for merging or recomputing. */
export function decodeRecord(record: HistogramRecord): Histogram {
  return hdr.decodeFromCompressedBase64(record.encoded, 64, false);
}

/** Exact merge of several histograms into a new microsecond histogram; inputs are left unchanged. */
export function mergeHistograms(histograms: readonly Histogram[]): Histogram {
  const merged = createLatencyHistogram();
  for (const h of histograms) merged.add(h);
  return merged;
}

/** Exact merge of several encoded records (e.g. repetitions or generator threads) into one record. */
export function mergeRecords(records: readonly HistogramRecord[]): HistogramRecord {
  const decoded = records.map(decodeRecord);
  const merged = mergeHistograms(decoded);
  const record = toRecord(merged);
  for (const h of decoded) h.destroy();
  merged.destroy();
  return record;
}

/** Highest trackable throughput, in BYTES PER SECOND (1e11 = 100 GB/s); larger values are clamped. */
export const HIGHEST_BYTES_PER_SEC = 100_000_000_000;

/**
 * A new throughput histogram in integer BYTES PER SECOND (1 B/s .. 100 GB/s, 2 significant
 * digits: 1 % resolution is plenty for interval throughput and keeps the histogram small).
 */
export function createRateHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_BYTES_PER_SEC,
    numberOfSignificantValueDigits: 2,
    bitBucketSize: 64,
    autoResize: false,
    useWebAssembly: false,
  });
}

/** Records one interval's throughput in bytes per second (rounded, clamped to 0..HIGHEST_BYTES_PER_SEC). */
export function recordBytesPerSec(histogram: Histogram, bytesPerSec: number): void {
  const rounded = Math.round(bytesPerSec);
  histogram.recordValue(Number.isFinite(rounded) ? Math.min(Math.max(rounded, 0), HIGHEST_BYTES_PER_SEC) : HIGHEST_BYTES_PER_SEC);
}

/** The per-interval throughput histogram as a result record. */
export function toThroughputRecord(histogram: Histogram, intervalMs: number, overallBytesPerSec: number): ThroughputRecord {
  const isEmpty = histogram.totalCount === 0;
  return {
    unit: 'bytesPerSec',
    intervalMs,
    count: histogram.totalCount,
    minBytesPerSec: isEmpty ? 0 : histogram.getValueAtPercentile(0),
    meanBytesPerSec: isEmpty ? 0 : Math.round(histogram.mean),
    p50BytesPerSec: isEmpty ? 0 : histogram.getValueAtPercentile(50),
    maxBytesPerSec: isEmpty ? 0 : histogram.getValueAtPercentile(100),
    overallBytesPerSec: Math.round(overallBytesPerSec),
    encoded: hdr.encodeIntoCompressedBase64(histogram),
  };
}
