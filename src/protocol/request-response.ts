// Wire format of the built-in request/response target, spoken by both sides: the target
// (src/targets) parses it, the tcp-request-response and tcp-stream workloads (src/workloads) encode
// it. It lives here, below both, because it belongs to neither. Header encoding and an incremental
// request parser; pure byte handling: no sockets, no timers.
//
// Each request is:   [uint32 BE totalBytes][uint32 BE responseBytes][padding ...]
//   - totalBytes: length of the whole request INCLUDING the 8-byte header (>= 8);
//   - responseBytes: how many bytes the target answers with (>= 0, <= MAX_RESPONSE_BYTES);
//   - padding: totalBytes - 8 bytes of any content (ignored).
// The target answers each complete request with exactly `responseBytes` bytes (zeros), in order.
// Several requests may arrive in one chunk and one request may be split over many chunks.
// Streams (tcp-stream): totalBytes = UNBOUNDED_BYTES means "everything after this header until
// the client's FIN is upload" (read and discarded), and the response starts right after the
// header; responseBytes = UNBOUNDED_BYTES means "stream zeros until the client's FIN".
// Timed requests (the replay workload): totalBytes with its top bit set (TIMED_FLAG) announces a
// 12-byte header whose third uint32 is a delay in microseconds; the target answers that request
// `delayUs` after it arrived (a recorded server time), in order per connection. totalBytes (flag
// cleared) still counts the whole request, header included, so it is >= 12.

/** Size of the request header in bytes. */
export const REQUEST_HEADER_BYTES = 8;
/** Largest request the target accepts, in bytes (1 GiB). */
export const MAX_REQUEST_BYTES = 1024 * 1024 * 1024;
/** Largest response a request may ask for, in bytes (1 GiB). */
export const MAX_RESPONSE_BYTES = 1024 * 1024 * 1024;

/** Top bit of totalBytes: the request is timed and its header is TIMED_HEADER_BYTES long. */
export const TIMED_FLAG = 0x80000000;
/** Size of a timed request's header: totalBytes, responseBytes, delayUs. */
export const TIMED_HEADER_BYTES = 12;
/** Longest delay a timed request may ask for, µs (one hour). */
export const MAX_DELAY_US = 3_600_000_000;

/** Sentinel length (0xFFFFFFFF) meaning "until the client half-closes", for streams. */
export const UNBOUNDED_BYTES = 0xffffffff;

/** The header that opens a stream: upload until FIN if `isUpload`, and a download of `downloadBytes` (or UNBOUNDED_BYTES; 0 for none). */
export function encodeStreamHeader(isUpload: boolean, downloadBytes: number): Buffer {
  const header = Buffer.alloc(REQUEST_HEADER_BYTES);
  header.writeUInt32BE(isUpload ? UNBOUNDED_BYTES : REQUEST_HEADER_BYTES, 0);
  header.writeUInt32BE(downloadBytes, 4);
  return header;
}

/** A request of `totalBytes` (header included, >= 8) asking for `responseBytes` bytes; zero padding. */
export function encodeRequest(totalBytes: number, responseBytes: number): Buffer {
  if (!Number.isInteger(totalBytes) || totalBytes < REQUEST_HEADER_BYTES || totalBytes > MAX_REQUEST_BYTES) {
    throw new RangeError(`request totalBytes must be an integer in 8..${MAX_REQUEST_BYTES}, got ${totalBytes}`);
  }
  if (!Number.isInteger(responseBytes) || responseBytes < 0 || responseBytes > MAX_RESPONSE_BYTES) {
    throw new RangeError(`request responseBytes must be an integer in 0..${MAX_RESPONSE_BYTES}, got ${responseBytes}`);
  }
  const request = Buffer.alloc(totalBytes);
  request.writeUInt32BE(totalBytes, 0);
  request.writeUInt32BE(responseBytes, 4);
  return request;
}

/** A timed request of `totalBytes` (>= 12) asking for `responseBytes` after `delayUs` µs at the target; zero padding. */
export function encodeTimedRequest(totalBytes: number, responseBytes: number, delayUs: number): Buffer {
  if (!Number.isInteger(totalBytes) || totalBytes < TIMED_HEADER_BYTES || totalBytes > MAX_REQUEST_BYTES) {
    throw new RangeError(`timed request totalBytes must be an integer in ${TIMED_HEADER_BYTES}..${MAX_REQUEST_BYTES}, got ${totalBytes}`);
  }
  if (!Number.isInteger(responseBytes) || responseBytes < 0 || responseBytes > MAX_RESPONSE_BYTES) {
    throw new RangeError(`request responseBytes must be an integer in 0..${MAX_RESPONSE_BYTES}, got ${responseBytes}`);
  }
  if (!Number.isInteger(delayUs) || delayUs < 0 || delayUs > MAX_DELAY_US) throw new RangeError(`delayUs must be an integer in 0..${MAX_DELAY_US}, got ${delayUs}`);
  const request = Buffer.alloc(totalBytes);
  request.writeUInt32BE((totalBytes | TIMED_FLAG) >>> 0, 0);
  request.writeUInt32BE(responseBytes, 4);
  request.writeUInt32BE(delayUs, 8);
  return request;
}

/** Outcome of feeding one chunk to a RequestParser. */
export type ParseResult =
  | {
      ok: true;
      /** Response sizes of the requests completed by this chunk, in order. */
      responses: number[];
      /** Present when a timed request completed in this chunk: the delay of each response, µs (0 for untimed ones), aligned with `responses`. */
      delaysUs?: number[];
    }
  | { ok: false; reason: string };

/** Incremental parser of a byte stream of requests (one per connection). */
export class RequestParser {
  private readonly header = Buffer.alloc(TIMED_HEADER_BYTES);
  private headerFilled = 0;
  /** Header length of the current request: 8, or 12 once a timed request is seen. */
  private headerNeed = REQUEST_HEADER_BYTES;
  /** Bytes of the current request's padding still to skip. */
  private paddingLeft = 0;
  private responseBytes = 0;
  private delayUs = 0;

  /** Consumes one chunk; returns the completed requests' response sizes, or why the stream is invalid. */
  push(chunk: Buffer): ParseResult {
    const responses: number[] = [];
    const delays: number[] = [];
    let hasTimed = false;
    const result = (): ParseResult => (hasTimed ? { ok: true, responses, delaysUs: delays } : { ok: true, responses });
    let offset = 0;
    // Each iteration consumes at least one byte or finishes, so the loop is bounded by chunk.length.
    while (offset < chunk.length) {
      if (this.headerFilled < this.headerNeed) {
        const n = Math.min(this.headerNeed - this.headerFilled, chunk.length - offset);
        chunk.copy(this.header, this.headerFilled, offset, offset + n);
        this.headerFilled += n;
        offset += n;
        if (this.headerFilled < this.headerNeed) break;
        let total = this.header.readUInt32BE(0);
        this.responseBytes = this.header.readUInt32BE(4);
        this.delayUs = 0;
        if (total === UNBOUNDED_BYTES) {
          // Upload stream: answer now, then swallow everything until FIN.
          responses.push(this.responseBytes);
          delays.push(0);
          this.paddingLeft = Number.POSITIVE_INFINITY;
          return result();
        }
        const isTimed = (total & TIMED_FLAG) !== 0;
        if (isTimed && this.headerNeed === REQUEST_HEADER_BYTES) {
          this.headerNeed = TIMED_HEADER_BYTES;
          continue;
        }
        if (isTimed) {
          total = (total & ~TIMED_FLAG) >>> 0;
          this.delayUs = this.header.readUInt32BE(8);
          if (total < TIMED_HEADER_BYTES) return { ok: false, reason: `timed request length must be in ${TIMED_HEADER_BYTES}..${MAX_REQUEST_BYTES}, got ${total}` };
          if (this.delayUs > MAX_DELAY_US) return { ok: false, reason: `delay must be <= ${MAX_DELAY_US} µs, got ${this.delayUs}` };
        }
        if (total < REQUEST_HEADER_BYTES || total > MAX_REQUEST_BYTES) {
          return { ok: false, reason: `request length must be in 8..${MAX_REQUEST_BYTES}, got ${total}` };
        }
        if (this.responseBytes > MAX_RESPONSE_BYTES && this.responseBytes !== UNBOUNDED_BYTES) {
          return { ok: false, reason: `response length must be <= ${MAX_RESPONSE_BYTES}, got ${this.responseBytes}` };
        }
        if (isTimed) hasTimed = true;
        this.paddingLeft = total - this.headerNeed;
      } else {
        const n = Math.min(this.paddingLeft, chunk.length - offset);
        this.paddingLeft -= n;
        offset += n;
      }
      if (this.headerFilled === this.headerNeed && this.paddingLeft === 0) {
        responses.push(this.responseBytes);
        delays.push(this.delayUs);
        this.headerFilled = 0;
        this.headerNeed = REQUEST_HEADER_BYTES;
      }
    }
    return result();
  }
}
