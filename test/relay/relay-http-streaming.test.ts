// HTTP mode, hyco-https 1.4.5 listeners that stream a response larger than the 64 KiB control-channel
// limit as many small writes (a piped Readable, then end): hyco-https buffers until 64 KiB, opens the
// request's rendezvous address, sends the response JSON and then ONE binary message fragmented into
// continuation frames (fin=false per write, an empty FIN frame at end()). The sender must get 200
// and every byte, with and without network distance on the legs. As in the service, the 504
// deadline is on the `response` command and then on stalls of the body, never on the whole
// exchange: a response streamed for longer than the timeout still arrives whole.

import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { startRelayFixture } from '../helpers/relay-fixture.js';
import { sendHttp, startHycoHttpsListener, type HycoHttpsResponse } from '../helpers/relay-hyco-https.js';

/** Deterministic small chunks: chunk i is `size` bytes of value i % 251. */
function chunks(count: number, size: number): Buffer[] {
  return Array.from({ length: count }, (_, index) => Buffer.alloc(size, index % 251));
}

const streams: Record<string, { make: () => Readable; expected: Buffer }> = {
  '1 KiB chunks to 256 KiB, then end': { make: () => Readable.from(chunks(256, 1024)), expected: Buffer.concat(chunks(256, 1024)) },
  'one 1 KiB chunk per event-loop turn to 256 KiB': {
    make: () => {
      const parts = chunks(256, 1024);
      let index = 0;
      return new Readable({ read() { setImmediate(() => this.push(index < parts.length ? parts[index++] : null)); } });
    },
    expected: Buffer.concat(chunks(256, 1024)),
  },
  'synchronous 1,000 x 100 B': { make: () => Readable.from(chunks(1000, 100)), expected: Buffer.concat(chunks(1000, 100)) },
  'one 100 B chunk per event-loop turn, 2,000 x 100 B': {
    make: () => {
      const parts = chunks(2000, 100);
      let index = 0;
      return new Readable({ read() { setImmediate(() => this.push(index < parts.length ? parts[index++] : null)); } });
    },
    expected: Buffer.concat(chunks(2000, 100)),
  },
  'end() after a pause, 700 x 100 B': {
    make: () => {
      const readable = new Readable({ read() {} });
      for (const part of chunks(700, 100)) readable.push(part);
      setTimeout(() => readable.push(null), 50);
      return readable;
    },
    expected: Buffer.concat(chunks(700, 100)),
  },
};

const digest = (buffer: Buffer): string => createHash('sha256').update(buffer).digest('hex');

describe.each([
  ['loopback', undefined],
  ['5 ms legs', { senderLeg: { oneWayDelayMs: 5 }, listenerLeg: { oneWayDelayMs: 5 } }],
])('hyco-https streamed responses > 64 KiB (%s)', (_label, delays) => {
  test.each(Object.keys(streams))('%s: 200 with the whole body, over the response rendezvous', async (name) => {
    const stream = streams[name];
    if (stream === undefined) throw new Error(`no stream ${name}`);
    const fixture = await startRelayFixture({ httpResponseTimeoutMs: 10_000, ...(delays === undefined ? {} : { delays }) });
    const listener = await startHycoHttpsListener(fixture.listenUri, fixture.token, (request, response) => {
      request.resume();
      stream.make().pipe(response as unknown as NodeJS.WritableStream);
    });
    fixture.track(listener);

    const reply = await sendHttp(`http://127.0.0.1:${fixture.relay.port}/${fixture.hcName}`, { headers: { ServiceBusAuthorization: fixture.token() } });

    expect(reply.status).toBe(200);
    expect(reply.body.length).toBe(stream.expected.length);
    expect(digest(reply.body)).toBe(digest(stream.expected));
    expect(reply.headers['via']).toBeDefined();
    expect(fixture.relay.stats()).toMatchObject({ httpRequests: 1, httpResponses: 1, rejects: {} });
  });
});

/** Writes `head` at once (past 64 KiB, so the response command goes out now), then one chunk per `everyMs`; ends unless `stall`. */
function paced(response: HycoHttpsResponse, head: Buffer[], tail: Buffer[], everyMs: number, onEnd: () => void): void {
  for (const part of head) response.write(part);
  let index = 0;
  const next = (): void => {
    const part = tail[index++];
    if (part === undefined) {
      onEnd();
      return response.end();
    }
    response.write(part);
    setTimeout(next, everyMs);
  };
  setTimeout(next, everyMs);
}

describe('hyco-https streamed responses and the 504 deadline', () => {
  const TIMEOUT_MS = 1500;

  test('a response streamed for longer than the timeout, never stalling, arrives whole with 200', async () => {
    const fixture = await startRelayFixture({ httpResponseTimeoutMs: TIMEOUT_MS });
    const head = chunks(65, 1024);
    const tail = chunks(200, 1024).map((part, index) => Buffer.alloc(part.length, (index + 65) % 251));
    let streamedMs = 0;
    const listener = await startHycoHttpsListener(fixture.listenUri, fixture.token, (request, response) => {
      request.resume();
      const startedMs = performance.now();
      paced(response, head, tail, 10, () => (streamedMs = performance.now() - startedMs));
    });
    fixture.track(listener);

    const reply = await sendHttp(`http://127.0.0.1:${fixture.relay.port}/${fixture.hcName}`, { headers: { ServiceBusAuthorization: fixture.token() } });

    expect(reply.status, reply.body.toString('utf8').slice(0, 200)).toBe(200);
    // The premise: the body took longer than the whole timeout (200 writes, >= 9 ms apart).
    expect(streamedMs).toBeGreaterThan(TIMEOUT_MS);
    expect(digest(reply.body)).toBe(digest(Buffer.concat([...head, ...tail])));
    expect(fixture.relay.stats()).toMatchObject({ httpRequests: 1, httpResponses: 1, rejects: {} });
  });

  test('a body that stops making progress gets 504 (no Via) once it stalled for the timeout', async () => {
    const fixture = await startRelayFixture({ httpResponseTimeoutMs: 500 });
    let lastWriteMs = 0;
    const listener = await startHycoHttpsListener(fixture.listenUri, fixture.token, (request, response) => {
      request.resume();
      // Past 64 KiB: the response command and these bytes go out; then nothing, and no end().
      for (const part of chunks(70, 1024)) response.write(part);
      lastWriteMs = performance.now();
    });
    fixture.track(listener);

    const reply = await sendHttp(`http://127.0.0.1:${fixture.relay.port}/${fixture.hcName}`, { headers: { ServiceBusAuthorization: fixture.token() } });

    expect(reply.status).toBe(504);
    expect(reply.body.toString('utf8')).toMatch(/made no progress/);
    expect(reply.headers['via']).toBeUndefined();
    expect(performance.now() - lastWriteMs).toBeGreaterThanOrEqual(500);
    expect(fixture.relay.stats()).toMatchObject({ httpRequests: 1, httpResponses: 0, rejects: { 'http-timeout': 1 } });
  });
});
