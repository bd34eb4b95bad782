import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createDelayLine } from '../../src/net/delay-line.js';
import { startDelayProxy, type DelayProxy } from '../../src/net/delay-proxy.js';
import { MAX_HOP_US, MAX_RELEASED_HOLD_MS, measureInProcessHopUs, measureReleasedHopUs, postReleaseCostUs } from '../../src/net/in-process-hop.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A target that runs `handle` on every connection it accepts (a peer's reset is not an error here). */
async function startTarget(handle: (socket: net.Socket) => void): Promise<{ port: number }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    handle(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { port: (server.address() as net.AddressInfo).port };
}

function startEcho(): Promise<{ port: number }> {
  return startTarget((s) => s.pipe(s));
}

async function proxyTo(port: number, delayMs: number, handshakeRoundTrips?: number): Promise<DelayProxy> {
  const proxy = await startDelayProxy({
    target: { host: '127.0.0.1', port },
    toTarget: { oneWayDelayMs: delayMs },
    toClient: { oneWayDelayMs: delayMs },
    ...(handshakeRoundTrips === undefined ? {} : { handshakeRoundTrips }),
  });
  cleanups.push(() => proxy.close());
  return proxy;
}

/** A client of `proxy`, destroyed after the test. */
function connectTo(proxy: DelayProxy): net.Socket {
  const client = net.connect(proxy.address.port, '127.0.0.1');
  cleanups.push(() => void client.destroy());
  return client;
}

/** The first `bytes` bytes `socket` receives and when the first of them arrived; rejects after `timeoutMs`. */
function receive(socket: net.Socket, bytes: number, timeoutMs: number): Promise<{ data: Buffer; firstAtMs: number }> {
  const chunks: Buffer[] = [];
  let firstAtMs = 0;
  let received = 0;
  let timer: NodeJS.Timeout | undefined;
  return new Promise<{ data: Buffer; firstAtMs: number }>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${received} of ${bytes} bytes received within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      if (received === 0) firstAtMs = performance.now();
      chunks.push(chunk);
      received += chunk.length;
      if (received >= bytes) resolve({ data: Buffer.concat(chunks), firstAtMs });
    });
  }).finally(() => clearTimeout(timer));
}

/** A count of deliveries that resolves once it reached `total`; rejects naming the shortfall after `timeoutMs`. */
function deliveries(total: number, timeoutMs: number): { count(): void; all: Promise<void> } {
  let seen = 0;
  let done: () => void = () => {};
  let timer: NodeJS.Timeout | undefined;
  const all = new Promise<void>((resolve, reject) => {
    done = resolve;
    timer = setTimeout(() => reject(new Error(`${seen} of ${total} items delivered within ${timeoutMs} ms`)), timeoutMs);
  }).finally(() => clearTimeout(timer));
  return {
    count() {
      if (++seen === total) done();
    },
    all,
  };
}

describe('delay line', () => {
  test('delivers in order, never before its due time, even with jitter', async () => {
    const delivered: { n: number; atMs: number }[] = [];
    const arrived = deliveries(50, 2_000);
    const line = createDelayLine<number>({ oneWayDelayMs: 3, jitterMs: 4 }, (n) => {
      delivered.push({ n, atMs: performance.now() });
      arrived.count();
    });
    const sentAt = performance.now();

    for (let i = 0; i < 50; i++) line.push(i, 10);
    await arrived.all;

    expect(delivered.map((d) => d.n)).toEqual([...Array(50).keys()]);
    for (const d of delivered) expect(d.atMs - sentAt).toBeGreaterThanOrEqual(3);
    expect(line.queuedBytes).toBe(0);
  });

  test('never sleeps on a timer that could fire after the spin window began (Node runs < 1 ms as 1 ms, up to ~1 ms late)', () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    try {
      // A frozen clock: every scheduling decision is made with exactly `waitUs` left.
      for (const waitUs of [1200, 1600, 2000, 2499, 2500, 3100, 5000, 40_000]) {
        spy.mockClear();
        const line = createDelayLine<number>({ nowUs: () => 0, spinWindowUs: 1500 }, () => undefined);
        line.pushDue(1, 1, waitUs);
        const delays = spy.mock.calls.map((call) => call[1] ?? 0);
        line.clear();
        if (waitUs - 1500 < 1000) expect(delays, `${waitUs} µs left`).toEqual([]);
        else {
          expect(delays, `${waitUs} µs left`).toHaveLength(1);
          // At least 1 ms (never clamped up) and, fired 1 ms late, still before the spin window.
          expect(delays[0]).toBeGreaterThanOrEqual(1);
          expect(delays[0]! * 1000 + 1000).toBeLessThanOrEqual(waitUs - 1500 + 1000);
        }
      }
    } finally {
      spy.mockRestore();
    }
  });

  test('a bandwidth cap spaces items by their serialisation time', async () => {
    const times: number[] = [];
    const arrived = deliveries(5, 2_000);
    const line = createDelayLine<number>({ bandwidthBytesPerSec: 100_000 }, () => {
      times.push(performance.now());
      arrived.count();
    });
    const start = performance.now();

    for (let i = 0; i < 5; i++) line.push(i, 1000); // 10 ms each at 100 kB/s
    await arrived.all;

    expect(times).toHaveLength(5);
    expect(times[4]! - start).toBeGreaterThanOrEqual(50);
  });
});

describe('delay proxy', () => {
  test('adds the injected delay in both directions and keeps bytes identical', async () => {
    const echo = await startEcho();
    const proxy = await proxyTo(echo.port, 5);
    const client = net.connect(proxy.address.port, '127.0.0.1');
    cleanups.push(() => void client.destroy());
    await once(client, 'connect');
    const payload = randomBytes(1024 * 1024);
    const received: Buffer[] = [];
    let receivedBytes = 0;
    const done = new Promise<void>((resolve) =>
      client.on('data', (c: Buffer) => {
        received.push(c);
        receivedBytes += c.length;
        if (receivedBytes >= payload.length) resolve();
      }),
    );

    const start = performance.now();
    client.write(payload);
    await done;
    const elapsedMs = performance.now() - start;

    const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(hash(Buffer.concat(received))).toBe(hash(payload));
    // Each direction is released early by the proxy's own extra loopback hop (at most MAX_HOP_US),
    // the client → target direction also by what that hop costs more right after a release.
    const { hopCompensationUs, postReleaseCompensationUs } = proxy.stats();
    expect(hopCompensationUs).toBeGreaterThan(0);
    expect(hopCompensationUs).toBeLessThanOrEqual(MAX_HOP_US);
    expect(postReleaseCompensationUs).toBeGreaterThanOrEqual(0);
    expect(postReleaseCompensationUs).toBeLessThanOrEqual(MAX_HOP_US);
    expect(elapsedMs).toBeGreaterThanOrEqual(10 - (2 * hopCompensationUs + postReleaseCompensationUs) / 1000);
    expect(proxy.stats()).toMatchObject({ connectionsAccepted: 1, bytesToTarget: payload.length, bytesToClient: payload.length });
  });

  test('a client FIN reaches the target after the data, and the close comes back', async () => {
    const echo = await startEcho();
    const proxy = await proxyTo(echo.port, 2);
    const client = net.connect({ port: proxy.address.port, host: '127.0.0.1', allowHalfOpen: true });
    cleanups.push(() => void client.destroy());
    await once(client, 'connect');
    const chunks: Buffer[] = [];
    client.on('data', (c: Buffer) => chunks.push(c));

    client.end('last words');
    await once(client, 'end');

    expect(Buffer.concat(chunks).toString()).toBe('last words');
  });

  test('a proxy without distance compensates nothing', async () => {
    const echo = await startEcho();
    const proxy = await startDelayProxy({ target: { host: '127.0.0.1', port: echo.port } });
    cleanups.push(() => proxy.close());
    expect(proxy.stats()).toMatchObject({ hopCompensationUs: 0, postReleaseCompensationUs: 0 });
  });
});

// Timings are taken from just before the client's connect call, which is never after the proxy
// accepts it (the client's 'connect' event may be). Only lower bounds: the machine is shared.
describe('delay proxy handshake', () => {
  const DELAY_MS = 20;

  test('client-first: the target sees a new connection 3 one-way delays in, the request right after it, and the answer is back at 4', async () => {
    const events: { event: 'connection' | 'data'; atMs: number }[] = [];
    const target = await startTarget((s) => {
      events.push({ event: 'connection', atMs: performance.now() });
      s.once('data', () => events.push({ event: 'data', atMs: performance.now() }));
      s.pipe(s);
    });
    const proxy = await proxyTo(target.port, DELAY_MS, 1);
    const request = randomBytes(512);

    const connectingMs = performance.now();
    const client = connectTo(proxy);
    await once(client, 'connect');
    client.write(request);
    const { data, firstAtMs } = await receive(client, request.length, 2_000);

    expect(Buffer.compare(data, request)).toBe(0);
    expect(events.map((e) => e.event)).toEqual(['connection', 'data']);
    expect(events[0]!.atMs - connectingMs).toBeGreaterThanOrEqual(3 * DELAY_MS - 1);
    expect(firstAtMs - connectingMs).toBeGreaterThanOrEqual(4 * DELAY_MS - 1);
    expect(proxy.stats()).toMatchObject({ connectionsAccepted: 1, bytesToTarget: request.length, bytesToClient: request.length });
  });

  test('server-first: a greeting sent on accept reaches a silent client 4 one-way delays in', async () => {
    const greeting = Buffer.from('220 ready\r\n');
    const target = await startTarget((s) => s.write(greeting));
    const proxy = await proxyTo(target.port, DELAY_MS, 1);

    const connectingMs = performance.now();
    const client = connectTo(proxy);
    const { data, firstAtMs } = await receive(client, greeting.length, 2_000);

    expect(data.toString()).toBe(greeting.toString());
    expect(firstAtMs - connectingMs).toBeGreaterThanOrEqual(4 * DELAY_MS - 1);
    expect(proxy.stats()).toMatchObject({ bytesToTarget: 0, bytesToClient: greeting.length });
  });

  test('without handshakeRoundTrips the target is dialled on accept: a client reset at once still reaches it', async () => {
    let connections = 0;
    let sawConnection = (): void => undefined;
    const seen = new Promise<void>((resolve) => (sawConnection = resolve));
    const target = await startTarget(() => {
      connections += 1;
      sawConnection();
    });
    const proxy = await proxyTo(target.port, DELAY_MS);

    const client = connectTo(proxy);
    await once(client, 'connect');
    await expect.poll(() => proxy.stats().connectionsAccepted, { timeout: 2_000 }).toBe(1);
    client.resetAndDestroy();

    await seen;
    expect(connections).toBe(1);
    await expect.poll(() => proxy.stats().connectionsActive, { timeout: 2_000 }).toBe(0);
  });

  test('a client reset before the handshake is due never reaches the target, and its connection is torn down without an error', async () => {
    const arrivals: string[] = [];
    let onArrival = (): void => undefined;
    const target = await startTarget((s) => {
      arrivals.push('connection');
      s.once('data', (chunk: Buffer) => {
        arrivals.push(chunk.toString());
        onArrival();
      });
    });
    // Three round trips: 7 one-way delays to get the reset in first even on a busy machine.
    const proxy = await proxyTo(target.port, DELAY_MS, 3);

    const gone = connectTo(proxy);
    await once(gone, 'connect');
    await expect.poll(() => proxy.stats().connectionsAccepted, { timeout: 2_000 }).toBe(1);
    gone.resetAndDestroy();
    await once(gone, 'close');
    await expect.poll(() => proxy.stats().connectionsActive, { timeout: 2_000 }).toBe(0);

    // A second client, accepted after the first: its handshake falls due after the first one's
    // would have, so when its bytes arrive, the first connection had its chance to reach the target.
    const arrived = new Promise<void>((resolve) => (onArrival = resolve));
    const next = connectTo(proxy);
    next.write('next');
    await arrived;
    // One connection only, the second client's: the first was torn down before its handshake was due.
    expect(arrivals).toEqual(['connection', 'next']);
    expect(proxy.stats()).toMatchObject({ connectionsAccepted: 2, bytesToTarget: 4 });
  });
});

describe('in-process hop', () => {
  test('is measured as a positive half round trip, capped', async () => {
    const hopUs = await measureInProcessHopUs(16);
    expect(hopUs).toBeGreaterThan(0);
    expect(hopUs).toBeLessThanOrEqual(MAX_HOP_US);
  });

  test('right after a release it is measured through a delay line that really holds, capped', async () => {
    const startedMs = performance.now();
    const hopUs = await measureReleasedHopUs(2, 5);
    // Five holds of 2 ms each: the line did hold before every release.
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(5 * 2);
    expect(hopUs).toBeGreaterThan(0);
    expect(hopUs).toBeLessThanOrEqual(MAX_HOP_US);
  });

  test('a hold longer than the bound is measured at the bound, so the measurement stays short', async () => {
    const startedMs = performance.now();
    // Unbounded, the hold would outlast the measurement's 3 s deadline, and the result would be 0.
    const hopUs = await measureReleasedHopUs(60_000, 1);
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(MAX_RELEASED_HOLD_MS);
    expect(hopUs).toBeGreaterThan(0);
  });

  test('the post-release cost is never negative, bounded, measured once per hold, and 0 without a hold', async () => {
    const first = postReleaseCostUs(1);
    expect(postReleaseCostUs(1)).toBe(first);
    const costUs = await first;
    expect(costUs).toBeGreaterThanOrEqual(0);
    expect(costUs).toBeLessThanOrEqual(MAX_HOP_US);
    expect(await postReleaseCostUs(0)).toBe(0);
  });
});
