// Checks an encoded histogram from an untrusted file WITHOUT handing it to the HDR decoder: bounded
// base64 length, V2 compressed cookie, inflate with an output cap, the exact HDR parameters hcbench
// writes, and a walk of the ZigZag-LEB128 counts that stays inside the counts array. Pure.

import { inflateSync } from 'node:zlib';
import hdr from 'hdr-histogram-js';

/** HDR parameters an encoded histogram must carry (the ones hcbench's recorders use). */
export interface HistogramParameters {
  lowest: number;
  highest: number;
  significantDigits: number;
}

/** Longest `encoded` string accepted, characters. A full 1 µs..1 h histogram encodes to a few kB. */
export const MAX_ENCODED_CHARS = 256 * 1024;
/** Largest inflated histogram accepted, bytes: the 40-byte header plus 9 bytes per count at most. */
export const MAX_INFLATED_BYTES = 1024 * 1024;
/**
 * Options of every histogram inflate: bounded output, and output chunks small enough (< 4 kB) to
 * come from Node's buffer pool. An interval histogram inflates to about 1 kB; the default 16 kB
 * chunk was a fresh off-heap allocation per histogram, tens of thousands in a merge.
 */
export const INFLATE_OPTIONS = Object.freeze({ maxOutputLength: MAX_INFLATED_BYTES, chunkSize: 2048 });

const COMPRESSED_COOKIE_BASE = 0x1c849304;
const ENCODING_COOKIE_BASE = 0x1c849303;
const HEADER_BYTES = 40;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export type HistogramCheck = { ok: true; totalCount: number } | { ok: false; problem: string };

const countsLengthCache = new Map<string, number>();

/** Length of the counts array HDR allocates for these parameters (computed once per set). */
export function countsArrayLength(p: HistogramParameters): number {
  const key = `${p.lowest}/${p.highest}/${p.significantDigits}`;
  let length = countsLengthCache.get(key);
  if (length === undefined) {
    const h = hdr.build({ lowestDiscernibleValue: p.lowest, highestTrackableValue: p.highest, numberOfSignificantValueDigits: p.significantDigits as 3, bitBucketSize: 'packed', autoResize: false, useWebAssembly: false });
    length = (h as unknown as { countsArrayLength: number }).countsArrayLength;
    h.destroy();
    countsLengthCache.set(key, length);
  }
  return length;
}

/**
 * Sums the ZigZag-LEB128 counts of `payload`, handing each non-zero one to `onCount` with its
 * bucket index; undefined if a value is cut off or the index leaves the array.
 */
export function walkCounts(payload: Buffer, maxIndex: number, onCount?: (index: number, count: number) => void): number | undefined {
  let position = 0;
  let index = 0;
  let total = 0;
  const length = payload.length;
  while (position < length) {
    // Most values (small counts, short runs of zeros) take one byte.
    let raw = payload[position++] as number;
    if (raw >= 0x80) {
      raw &= 0x7f;
      let scale = 128;
      for (let byteNumber = 1; ; byteNumber++) {
        const byte = payload[position++];
        if (byte === undefined) return undefined;
        // The 9th byte of the LEB128-64b9B variant carries 8 value bits and no continuation bit.
        if (byteNumber === 8) {
          raw += byte * scale;
          break;
        }
        raw += (byte & 0x7f) * scale;
        scale *= 128;
        if ((byte & 0x80) === 0) break;
      }
    }
    // ZigZag: even = count >= 0, odd = -(run of zero counts).
    const value = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    if (value < 0) index += -value;
    else {
      total += value;
      if (value > 0 && onCount !== undefined && index <= maxIndex) onCount(index, value);
      index += 1;
    }
    if (index > maxIndex) return undefined;
  }
  return total;
}

/**
 * Checks `encoded` (HDR V2 compressed base64) against `expected`. Never allocates more than
 * {@link MAX_INFLATED_BYTES}; the problem text names what is wrong, never the data.
 */
export function checkEncodedHistogram(encoded: string, expected: HistogramParameters): HistogramCheck {
  if (encoded.length > MAX_ENCODED_CHARS) return { ok: false, problem: `is ${encoded.length} characters long, more than the ${MAX_ENCODED_CHARS} a histogram takes` };
  if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) return { ok: false, problem: 'is not base64' };
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length < 8 || (bytes.readInt32BE(0) & ~0xf0) !== COMPRESSED_COOKIE_BASE) return { ok: false, problem: 'is not an HDR V2 compressed histogram (wrong cookie)' };
  const compressedLength = bytes.readInt32BE(4);
  if (compressedLength < 0 || compressedLength > bytes.length - 8) return { ok: false, problem: 'is truncated (its compressed length is larger than the data)' };
  let inflated: Buffer;
  try {
    inflated = inflateSync(bytes.subarray(8, 8 + compressedLength), INFLATE_OPTIONS);
  } catch (error) {
    const isTooLarge = error instanceof RangeError || (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
    return { ok: false, problem: isTooLarge ? `inflates to more than ${MAX_INFLATED_BYTES} bytes` : 'is not valid deflate data' };
  }
  if (inflated.length < HEADER_BYTES || (inflated.readInt32BE(0) & ~0xf0) !== ENCODING_COOKIE_BASE) return { ok: false, problem: 'does not inflate to an HDR V2 histogram' };
  const payloadLength = inflated.readInt32BE(4);
  const digits = inflated.readInt32BE(12);
  const lowest = inflated.readBigInt64BE(16);
  const highest = inflated.readBigInt64BE(24);
  if (digits !== expected.significantDigits || lowest !== BigInt(expected.lowest) || highest !== BigInt(expected.highest)) {
    return {
      ok: false,
      problem: `has HDR parameters lowest ${lowest}, highest ${highest}, ${digits} digits; expected ${expected.lowest}, ${expected.highest}, ${expected.significantDigits}`,
    };
  }
  if (payloadLength < 0 || payloadLength > inflated.length - HEADER_BYTES) return { ok: false, problem: 'is truncated (payload length beyond the data)' };
  const total = walkCounts(inflated.subarray(HEADER_BYTES, HEADER_BYTES + payloadLength), countsArrayLength(expected));
  if (total === undefined) return { ok: false, problem: 'has counts outside the histogram range' };
  return { ok: true, totalCount: total };
}
