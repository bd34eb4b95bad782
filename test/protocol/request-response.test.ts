import { describe, expect, test } from 'vitest';
import { encodeRequest, encodeStreamHeader, RequestParser, UNBOUNDED_BYTES } from '../../src/protocol/request-response.js';

describe('RequestParser', () => {
  test('completes a request split into single bytes only at its last byte', () => {
    const parser = new RequestParser();
    const request = encodeRequest(20, 7);

    const completed: number[] = [];
    for (let i = 0; i < request.length; i++) {
      const result = parser.push(request.subarray(i, i + 1));
      if (!result.ok) throw new Error(result.reason);
      completed.push(...result.responses);
      if (i < request.length - 1) expect(result.responses).toEqual([]);
    }

    expect(completed).toEqual([7]);
  });

  test('parses several requests coalesced in one chunk, in order, with a partial tail', () => {
    const parser = new RequestParser();
    const third = encodeRequest(100, 9);
    const chunk = Buffer.concat([encodeRequest(8, 1), encodeRequest(64, 1000), third.subarray(0, 5)]);

    const first = parser.push(chunk);
    const rest = parser.push(third.subarray(5));

    expect(first).toEqual({ ok: true, responses: [1, 1000] });
    expect(rest).toEqual({ ok: true, responses: [9] });
  });

  test('rejects a header whose total length is below the header size', () => {
    const parser = new RequestParser();
    const bad = Buffer.alloc(8);
    bad.writeUInt32BE(4, 0);

    const result = parser.push(bad);

    expect(result.ok).toBe(false);
  });

  test('encodeRequest refuses lengths below the 8-byte header', () => {
    expect(() => encodeRequest(7, 1)).toThrow(RangeError);
  });
});

describe('stream mode', () => {
  test('an unbounded upload answers at the header and swallows everything after it', () => {
    const parser = new RequestParser();
    const header = encodeStreamHeader(true, 123);

    const first = parser.push(Buffer.concat([header, Buffer.alloc(50_000)]));
    const later = parser.push(encodeRequest(8, 1));

    expect(first).toEqual({ ok: true, responses: [123] });
    expect(later).toEqual({ ok: true, responses: [] });
  });

  test('an unbounded download is passed through as UNBOUNDED_BYTES', () => {
    const parser = new RequestParser();

    expect(parser.push(encodeStreamHeader(false, UNBOUNDED_BYTES))).toEqual({ ok: true, responses: [UNBOUNDED_BYTES] });
  });
});
