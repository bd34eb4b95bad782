// HDR latency histograms (integer µs) as Prometheus native histograms (seconds, exponential
// buckets). Schema NATIVE_SCHEMA splits every power of two into 2^NATIVE_SCHEMA buckets, bucket i
// holding the values in (2^((i-1)/64), 2^(i/64)] seconds. Every HDR bucket lands whole in the native
// bucket of its highest equivalent value (the value HDR reports its percentiles at), so the bucket
// counts are exact sums of HDR counts, the native count is the HDR count, and the native bucket
// that holds a quantile holds HDR's own value of that quantile: an estimate from the native
// histogram (histogram_quantile) is off from hcbench's figure by at most NATIVE_RELATIVE_ERROR.

import type { Histogram, JsHistogram } from 'hdr-histogram-js';

/** Native histogram schema hcbench sends: 64 buckets per power of two. */
export const NATIVE_SCHEMA = 6;

/**
 * Largest relative distance between two values in one native bucket (2^(2^-6) - 1, about 1.09 %):
 * the most a quantile read from the native histogram differs from hcbench's own figure.
 */
export const NATIVE_RELATIVE_ERROR = 2 ** (2 ** -NATIVE_SCHEMA) - 1;

/** Consecutive buckets: `offset` from the end of the previous span (the first: the absolute index). */
export interface BucketSpan {
  offset: number;
  length: number;
}

/** A native histogram with integer counts, as remote write's `Histogram` message carries it. */
export interface NativeHistogram {
  count: number;
  /** Sum of the observations, seconds (HDR's mean times the count). */
  sum: number;
  schema: number;
  /** Observations of 0 (nothing else falls in the zero bucket: its threshold is 0). */
  zeroCount: number;
  positiveSpans: BucketSpan[];
  /** Bucket counts as deltas: the first bucket's count, then each bucket minus the one before. */
  positiveDeltas: number[];
}

const PER_POWER = 2 ** NATIVE_SCHEMA;

/** The native bucket index of `seconds` (> 0): the i with 2^((i-1)/64) < seconds <= 2^(i/64). */
export function nativeBucketIndex(seconds: number): number {
  let index = Math.ceil(Math.log2(seconds) * PER_POWER);
  // log2 may be off by an ulp next to a bound; the bounds themselves decide.
  while (2 ** (index / PER_POWER) < seconds) index += 1;
  while (2 ** ((index - 1) / PER_POWER) >= seconds) index -= 1;
  return index;
}

/** Upper bound of native bucket `index`, seconds. */
export function nativeBucketUpper(index: number): number {
  return 2 ** (index / PER_POWER);
}

/** `histogram` (µs, as built by metrics/histogram.ts) as a native histogram in seconds. */
export function toNativeHistogram(histogram: Histogram): NativeHistogram {
  const counts = new Map<number, number>();
  let zeroCount = 0;
  // The JS implementation (hcbench never builds the WebAssembly one) exposes its iterator.
  const iterator = (histogram as JsHistogram).recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) {
    const step = iterator.next();
    if (step.countAtValueIteratedTo === 0) continue;
    if (step.valueIteratedTo <= 0) {
      zeroCount += step.countAtValueIteratedTo;
      continue;
    }
    const index = nativeBucketIndex(step.valueIteratedTo / 1e6);
    counts.set(index, (counts.get(index) ?? 0) + step.countAtValueIteratedTo);
  }
  const indexes = [...counts.keys()].sort((a, b) => a - b);
  const positiveSpans: BucketSpan[] = [];
  const positiveDeltas: number[] = [];
  let previousIndex: number | undefined;
  let previousCount = 0;
  for (const index of indexes) {
    const count = counts.get(index) ?? 0;
    const last = positiveSpans.at(-1);
    if (last !== undefined && previousIndex === index - 1) last.length += 1;
    else positiveSpans.push({ offset: previousIndex === undefined ? index : index - previousIndex - 1, length: 1 });
    positiveDeltas.push(count - previousCount);
    previousCount = count;
    previousIndex = index;
  }
  const count = histogram.totalCount;
  return { count, sum: count === 0 ? 0 : (histogram.mean * count) / 1e6, schema: NATIVE_SCHEMA, zeroCount, positiveSpans, positiveDeltas };
}
