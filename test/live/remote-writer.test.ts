// The remote-write client against real receivers on 127.0.0.1: what it sends decodes back to the
// same series (snappy + protobuf, protocol 1.0 headers); a receiver that answers 500, never
// answers, or is not there costs bounded time, and every sample is either sent or counted dropped.

import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { RemoteWriter, redactUrl } from '../../src/live/remote-writer.js';
import type { SeriesSample } from '../../src/live/write-request.js';
import { startReceiver, type Receiver } from '../helpers/remote-write-receiver.js';

const receivers: Receiver[] = [];
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});

function batch(n: number, at: number): SeriesSample[] {
  return Array.from({ length: n }, (_, i) => ({ labels: { __name__: 'hcbench_test_total', step: `s${i}`, zeta: 'z', alpha: 'a' }, value: i + 0.25, timestampMs: at + i }));
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('RemoteWriter', () => {
  test('sends every sample, decodable, with the remote-write 1.0 headers', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const writer = new RemoteWriter({ url: receiver.url });
    writer.push(batch(3, 1_700_000_000_000));
    writer.push(batch(2, 1_700_000_001_000));

    const stats = await writer.close(5_000);

    expect(stats).toMatchObject({ samplesSent: 5, samplesDropped: 0, failedRequests: 0 });
    expect(receiver.samples).toHaveLength(5);
    expect(receiver.samples[1]).toEqual({ labels: { __name__: 'hcbench_test_total', alpha: 'a', step: 's1', zeta: 'z' }, value: 1.25, timestampMs: 1_700_000_000_001 });
    expect(receiver.samples[4]?.timestampMs).toBe(1_700_000_001_001);
    for (const headers of receiver.headers) {
      expect(headers).toMatchObject({ 'content-encoding': 'snappy', 'content-type': 'application/x-protobuf', 'x-prometheus-remote-write-version': '0.1.0' });
    }
  });

  test('a receiver answering 500: retried with backoff, then dropped and counted', async () => {
    const receiver = await startReceiver('fail');
    receivers.push(receiver);
    const writer = new RemoteWriter({ url: receiver.url, maxAttempts: 3, backoffMs: 10 });
    writer.push(batch(4, 1));

    const stats = await writer.close(5_000);

    expect(stats).toMatchObject({ samplesSent: 0, samplesDropped: 4, requests: 3, failedRequests: 3, lastError: 'HTTP 500: receiver says no' });
    expect(receiver.headers).toHaveLength(3);
  });

  test('a receiver that never answers: each request ends at its deadline, close at its own', async () => {
    const receiver = await startReceiver('hang');
    receivers.push(receiver);
    const writer = new RemoteWriter({ url: receiver.url, requestTimeoutMs: 150, maxAttempts: 2, backoffMs: 10, maxQueuedBatches: 2 });
    for (let i = 0; i < 5; i++) writer.push(batch(2, i * 10));
    const started = performance.now();

    const stats = await writer.close(400);

    expect(performance.now() - started).toBeLessThan(2_000);
    expect(stats.samplesSent).toBe(0);
    expect(stats.samplesDropped).toBe(10);
    expect(stats.lastError).toBe('no answer within 150 ms');
  });

  test('no receiver at all: connection refused, every sample counted dropped', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/api/v1/write`;
    const writer = new RemoteWriter({ url, backoffMs: 5 });
    writer.push(batch(3, 1));
    writer.push(batch(3, 2));

    const stats = await writer.close(5_000);

    expect(stats).toMatchObject({ samplesSent: 0, samplesDropped: 6, lastError: 'ECONNREFUSED' });
    expect(stats.requests).toBe(6);
  });

  test('pushes after close are dropped and counted, never sent', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const writer = new RemoteWriter({ url: receiver.url });
    const stats = await writer.close(1_000);
    writer.push(batch(2, 1));

    expect(stats.samplesSent).toBe(0);
    expect(receiver.samples).toHaveLength(0);
  });

  test('the URL in stats and messages carries no user info or query', () => {
    expect(redactUrl('https://user:secret@prom.example:9090/api/v1/write?token=abc')).toBe('https://prom.example:9090/api/v1/write');
  });
});
