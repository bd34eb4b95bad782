// Exact sums of many encoded latency histograms without decoding each into a full counts array:
// the V2 compressed encoding (what `encodeIntoCompressedBase64` writes) is inflated (bounded) and
// its counts walked (histogram-check.ts) straight into a dense window of bucket counts that grows
// to the buckets actually used. Adding a histogram then costs its non-zero buckets, not the
// ~23,000 buckets of the range, which is what lets `hcbench merge` fold 64 shards × 300 interval
// histograms quickly. Every hcbench latency histogram has one bucket layout (1 µs .. 1 h, 3
// significant digits), so indexes of different histograms mean the same values; an encoding
// with another layout is refused.

import { deflateSync, inflateSync } from 'node:zlib';
import { createLatencyHistogram, HIGHEST_US, LOWEST_US, SIGNIFICANT_DIGITS, type Histogram } from './histogram.js';
import { countsArrayLength, INFLATE_OPTIONS, MAX_ENCODED_CHARS, MAX_INFLATED_BYTES, walkCounts } from './histogram-check.js';

const V2_COMPRESSED_COOKIE_BASE = 0x1c849304;
const V2_COOKIE_BASE = 0x1c849303;
/** The uncompressed header: cookie, payload length, offset, digits (int32 each), lowest, highest, ratio (int64 each). */
const HEADER_BYTES = 40;
const LATENCY = { lowest: LOWEST_US, highest: HIGHEST_US, significantDigits: SIGNIFICANT_DIGITS };
/** Highest bucket index of the latency layout (computed on first use). */
let maxIndex: number | undefined;

/** Counts of the buckets `offset` .. `offset + counts.length - 1`, grown as buckets outside arrive. */
export interface SparseCounts {
  offset: number;
  counts: Float64Array;
}

/** An empty sum. */
export function emptyCounts(): SparseCounts {
  return { offset: 0, counts: new Float64Array(0) };
}

/** Grows the window to cover `low` .. `high`, with room on both sides so that a few grows serve a whole merge. */
function grow(into: SparseCounts, low: number, high: number): void {
  const isEmpty = into.counts.length === 0;
  const pad = Math.max(256, (high - low) >> 1);
  const from = Math.max(0, isEmpty ? low - pad : Math.min(low - pad, into.offset));
  const to = isEmpty ? high + pad : Math.max(high + pad, into.offset + into.counts.length - 1);
  const counts = new Float64Array(to - from + 1);
  if (!isEmpty) counts.set(into.counts, into.offset - from);
  into.offset = from;
  into.counts = counts;
}

/** Adds the buckets of `encoded` (compressed base64) into `into`. Throws a RangeError saying what is wrong with a malformed or foreign encoding. */
export function addEncodedCounts(into: SparseCounts, encoded: string): void {
  if (encoded.length > MAX_ENCODED_CHARS) throw new RangeError(`is ${encoded.length} characters long, more than the ${MAX_ENCODED_CHARS} a histogram takes`);
  const outer = Buffer.from(encoded, 'base64');
  if (outer.length < 8 || (outer.readInt32BE(0) & ~0xf0) !== V2_COMPRESSED_COOKIE_BASE) throw new RangeError('not a V2 compressed HdrHistogram encoding');
  const length = outer.readInt32BE(4);
  if (length < 0 || 8 + length > outer.length) throw new RangeError('HdrHistogram encoding shorter than its stated length');
  let inner: Buffer;
  try {
    inner = inflateSync(outer.subarray(8, 8 + length), INFLATE_OPTIONS);
  } catch (error) {
    // zlib's data errors are plain Errors: refused like every other malformed encoding.
    const isTooLarge = error instanceof RangeError || (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new RangeError(isTooLarge ? `inflates to more than ${MAX_INFLATED_BYTES} bytes` : 'is not valid deflate data');
  }
  if (inner.length < HEADER_BYTES || (inner.readInt32BE(0) & ~0xf0) !== V2_COOKIE_BASE) throw new RangeError('HdrHistogram payload without a V2 header');
  const payload = inner.readInt32BE(4);
  const digits = inner.readInt32BE(12);
  const lowest = Number(inner.readBigInt64BE(16));
  if (digits !== SIGNIFICANT_DIGITS || lowest !== LOWEST_US) throw new RangeError(`HdrHistogram of another layout (lowest ${lowest}, ${digits} digits)`);
  if (payload < 0 || HEADER_BYTES + payload > inner.length) throw new RangeError('HdrHistogram payload shorter than its stated length');
  const body = inner.subarray(HEADER_BYTES, HEADER_BYTES + payload);
  maxIndex ??= countsArrayLength(LATENCY) - 1;
  const total = walkCounts(body, maxIndex, (index, count) => {
    let at = index - into.offset;
    if (at < 0 || at >= into.counts.length) {
      grow(into, index, index);
      at = index - into.offset;
    }
    (into.counts[at] as number) += count;
  });
  if (total === undefined) throw new RangeError('HdrHistogram with counts outside its range');
}

/** Adds the sum `from` (another fold's, e.g. a worker thread's) into `into`, bucket for bucket. */
export function addCounts(into: SparseCounts, from: SparseCounts): void {
  let first = 0;
  let last = from.counts.length - 1;
  while (first <= last && from.counts[first] === 0) first++;
  while (last >= first && from.counts[last] === 0) last--;
  if (first > last) return;
  const low = from.offset + first;
  const high = from.offset + last;
  if (low < into.offset || high >= into.offset + into.counts.length) grow(into, low, high);
  const counts = into.counts;
  const shift = from.offset - into.offset;
  for (let i = first; i <= last; i++) (counts[i + shift] as number) += from.counts[i] as number;
}

/** A latency histogram holding exactly `sum` (each bucket at its lowest equivalent value). */
export function histogramFromCounts(sum: SparseCounts): Histogram {
  const histogram = createLatencyHistogram();
  const valueFromIndex = (index: number): number => (histogram as unknown as { valueFromIndex(i: number): number }).valueFromIndex(index);
  for (let i = 0; i < sum.counts.length; i++) {
    const count = sum.counts[i] as number;
    if (count > 0) histogram.recordValueWithCount(valueFromIndex(sum.offset + i), count);
  }
  return histogram;
}

/** ZigZag LEB128 (the 9-byte variant HdrHistogram uses) of `value` into `out` at `at`; returns the next position. */
function putZigZag(out: Buffer, at: number, value: number): number {
  let raw = value >= 0 ? value * 2 : -value * 2 - 1;
  let position = at;
  for (let byte = 0; byte < 8; byte++) {
    if (raw < 128) {
      out[position++] = raw;
      return position;
    }
    out[position++] = (raw % 128) | 0x80;
    raw = Math.floor(raw / 128);
  }
  out[position++] = raw;
  return position;
}

/**
 * `sum` as HdrHistogram's V2 compressed base64 (what `encodeIntoCompressedBase64` writes and every
 * decoder reads), straight from the counts: no full histogram is built for it.
 */
export function encodeCounts(sum: SparseCounts): string {
  let last = sum.counts.length - 1;
  while (last >= 0 && sum.counts[last] === 0) last--;
  const body = Buffer.alloc(HEADER_BYTES + 9 * (last + 2));
  let position = HEADER_BYTES;
  let zeros = sum.offset;
  for (let i = 0; i <= last; i++) {
    const count = sum.counts[i] as number;
    if (count === 0) {
      zeros++;
      continue;
    }
    if (zeros > 1) position = putZigZag(body, position, -zeros);
    else if (zeros === 1) position = putZigZag(body, position, 0);
    zeros = 0;
    position = putZigZag(body, position, count);
  }
  body.writeInt32BE(V2_COOKIE_BASE | 0x10, 0);
  body.writeInt32BE(position - HEADER_BYTES, 4);
  body.writeInt32BE(1, 8);
  body.writeInt32BE(SIGNIFICANT_DIGITS, 12);
  body.writeBigInt64BE(BigInt(LOWEST_US), 16);
  body.writeBigInt64BE(BigInt(HIGHEST_US), 24);
  body.writeBigInt64BE(1n, 32);
  const compressed = deflateSync(body.subarray(0, position));
  const outer = Buffer.alloc(8 + compressed.length);
  outer.writeInt32BE(V2_COMPRESSED_COOKIE_BASE | 0x10, 0);
  outer.writeInt32BE(compressed.length, 4);
  compressed.copy(outer, 8);
  return outer.toString('base64');
}
