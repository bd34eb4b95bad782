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

async function startEcho(): Promise<{ port: number }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.pipe(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { port: (server.address() as net.AddressInfo).port };
}

async function proxyTo(port: number, delayMs: number): Promise<DelayProxy> {
  const proxy = await startDelayProxy({
    target: { host: '127.0.0.1', port },
    toTarget: { oneWayDelayMs: delayMs },
    toClient: { oneWayDelayMs: delayMs },
  });
  cleanups.push(() => proxy.close());
  return proxy;
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
