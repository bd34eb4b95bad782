// Compact latency distributions: the non-empty buckets of an HDR histogram as sorted (value, count)
// pairs, merged exactly and read at a percentile exactly as hdr-histogram-js reads a histogram.
// The analysis merges repetitions many times (delete-one jackknife); this keeps that cheap. Pure.

import hdr from 'hdr-histogram-js';
import { createLatencyHistogram, decodeRecord, SIGNIFICANT_DIGITS } from '../metrics/histogram.js';
import { addEncodedCounts, emptyCounts } from '../metrics/sparse-counts.js';
import type { HistogramRecord } from '../metrics/result.js';

/**
 * A latency distribution: ascending bucket values (each the HDR bucket's highest equivalent value,
 * what `getValueAtPercentile` reports), their counts, and the lowest equivalent value of the first
 * bucket (what percentile 0 reports).
 */
export interface Distribution {
  values: Float64Array;
  counts: Float64Array;
  total: number;
  minValue: number;
}

/** An empty distribution. */
export const EMPTY_DISTRIBUTION: Distribution = { values: new Float64Array(0), counts: new Float64Array(0), total: 0, minValue: 0 };

/** Sub-bucket count of a 3-significant-digit HDR histogram with unit 1: 2048. */
const SUB_BUCKET_COUNT = 2 ** Math.ceil(Math.log2(2 * 10 ** SIGNIFICANT_DIGITS));

/**
 * The HDR bucket of integer value `v` (µs) at the project's precision, as [lowest, highest]
 * equivalent values: exact below 2048, then buckets of width 2, 4, 8 … (relative width < 0.1 %).
 */
export function hdrBucket(v: number): { low: number; high: number } {
  const value = Math.max(0, Math.round(v));
  if (value < SUB_BUCKET_COUNT) return { low: value, high: value };
  const width = 2 ** (Math.floor(Math.log2(value)) - Math.log2(SUB_BUCKET_COUNT) + 1);
  const low = Math.floor(value / width) * width;
  return { low, high: low + width - 1 };
}

/**
 * The distribution of an encoded histogram record: its buckets walked straight from the encoding
 * (metrics/sparse-counts.ts), no ~23,000-bucket HDR histogram decoded and scanned; an encoding of
 * another layout than hcbench's latency one goes through the HDR decoder.
 */
export function distributionOfRecord(record: HistogramRecord): Distribution {
  if (record.summary.count === 0 || record.encoded === '') return EMPTY_DISTRIBUTION;
  const sum = emptyCounts();
  try {
    addEncodedCounts(sum, record.encoded);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const histogram = decodeRecord(record);
    try {
      return distributionOfHistogram(histogram);
    } finally {
      histogram.destroy();
    }
  }
  const h = (layout ??= createLatencyHistogram() as unknown as ValueFunctions);
  const values: number[] = [];
  const counts: number[] = [];
  let total = 0;
  for (let i = 0; i < sum.counts.length; i++) {
    const c = sum.counts[i]!;
    if (c <= 0) continue;
    values.push(h.highestEquivalentValue(h.valueFromIndex(sum.offset + i)));
    counts.push(c);
    total += c;
  }
  const first = values.length === 0 ? 0 : h.lowestEquivalentValue(values[0]!);
  return { values: Float64Array.from(values), counts: Float64Array.from(counts), total, minValue: first };
}

/** HdrHistogram's value functions (of the latency layout, on an instance never recorded into). */
interface ValueFunctions {
  valueFromIndex(i: number): number;
  highestEquivalentValue(v: number): number;
  lowestEquivalentValue(v: number): number;
}
let layout: ValueFunctions | undefined;

/** The distribution of a decoded histogram (its recorded buckets, in order). */
export function distributionOfHistogram(histogram: hdr.Histogram): Distribution {
  const js = histogram as unknown as {
    countsArrayLength: number;
    getCountAtIndex(i: number): number;
    valueFromIndex(i: number): number;
    highestEquivalentValue(v: number): number;
    lowestEquivalentValue(v: number): number;
  };
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < js.countsArrayLength; i++) {
    const c = js.getCountAtIndex(i);
    if (c <= 0) continue;
    values.push(js.highestEquivalentValue(js.valueFromIndex(i)));
    counts.push(c);
  }
  const first = values.length === 0 ? 0 : js.lowestEquivalentValue(values[0]!);
  return { values: Float64Array.from(values), counts: Float64Array.from(counts), total: counts.reduce((a, b) => a + b, 0), minValue: first };
}

/** A distribution from raw µs samples (rounded to integers), bucketed exactly as the recorder's histograms bucket them. */
export function distributionOfSamples(samples: ArrayLike<number>): Distribution {
  if (samples.length === 0) return EMPTY_DISTRIBUTION;
  // Counting, not sorting: values below 2048 µs are their own bucket; larger ones are rare.
  const small = new Float64Array(SUB_BUCKET_COUNT);
  const large = new Map<number, number>();
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(0, Math.round(samples[i]!));
    if (v < min) min = v;
    if (v < SUB_BUCKET_COUNT) small[v] = small[v]! + 1;
    else {
      const high = hdrBucket(v).high;
      large.set(high, (large.get(high) ?? 0) + 1);
    }
  }
  const values: number[] = [];
  const counts: number[] = [];
  for (let v = Math.min(min, SUB_BUCKET_COUNT); v < SUB_BUCKET_COUNT; v++) {
    if (small[v]! === 0) continue;
    values.push(v);
    counts.push(small[v]!);
  }
  for (const high of [...large.keys()].sort((a, b) => a - b)) {
    values.push(high);
    counts.push(large.get(high)!);
  }
  return { values: Float64Array.from(values), counts: Float64Array.from(counts), total: samples.length, minValue: hdrBucket(min).low };
}

/** Exact merge (bucket counts add), as `mergeRecords` merges the histograms themselves. */
export function mergeDistributions(list: readonly Distribution[]): Distribution {
  const nonEmpty = list.filter((d) => d.total > 0);
  if (nonEmpty.length === 0) return EMPTY_DISTRIBUTION;
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  const byValue = new Map<number, number>();
  for (const d of nonEmpty) for (let i = 0; i < d.values.length; i++) byValue.set(d.values[i]!, (byValue.get(d.values[i]!) ?? 0) + d.counts[i]!);
  const keys = [...byValue.keys()].sort((a, b) => a - b);
  return {
    values: Float64Array.from(keys),
    counts: Float64Array.from(keys.map((k) => byValue.get(k)!)),
    total: nonEmpty.reduce((a, d) => a + d.total, 0),
    minValue: Math.min(...nonEmpty.map((d) => d.minValue)),
  };
}

/** Smallest float step above |x| (what hdr-histogram-js subtracts before rounding a count up). */
function ulp(x: number): number {
  const ax = Math.abs(x);
  if (ax === 0) return Number.MIN_VALUE;
  const exponent = Math.floor(Math.log2(ax));
  return 2 ** (exponent - 52);
}

/**
 * The value at `percentile` (0..100), identical to `getValueAtPercentile` of the histogram the
 * distribution came from (or of the merged histogram); 0 when empty.
 */
export function valueAtPercentile(d: Distribution, percentile: number): number {
  if (d.total === 0) return 0;
  if (percentile === 0) return d.minValue;
  const fp = (Math.min(percentile, 100) / 100) * d.total;
  const countAt = Math.max(Math.ceil(fp - ulp(fp)), 1);
  let cumulative = 0;
  for (let i = 0; i < d.values.length; i++) {
    cumulative += d.counts[i]!;
    if (cumulative >= countAt) return d.values[i]!;
  }
  return d.values[d.values.length - 1] ?? 0;
}
