import { describe, expect, test } from 'vitest';
import { startRequestResponseTarget } from '../../src/targets/tcp-request-response-server.js';
import { tcpRequestResponse } from '../../src/workloads/tcp-request-response.js';
import { workloads } from '../../src/workloads/index.js';
import { systemClock, type TcpRequestResponseParams } from '../../src/workloads/types.js';
import { reserveClosedPort, startMisbehavingTarget } from '../helpers/target-misbehaving.js';

const params = (overrides: Partial<TcpRequestResponseParams> = {}): TcpRequestResponseParams => ({
  kind: 'tcp-request-response',
  connections: 2,
  roundTripsPerTransaction: 3,
  requestBytes: 64,
  responseBytes: 100,
  ...overrides,
});

describe('tcp-request-response workload', () => {
  test('counts, bytes and percentiles add up against the real target', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const p = params();

    const outcome = await tcpRequestResponse.run({
      dialAddress: target.address,
      params: p,
      warmupMs: 100,
      durationMs: 300,
      signal: AbortSignal.timeout(20_000),
      clock: systemClock,
    });

    const { counters, histograms } = outcome.metrics;
    const warmup = outcome.metrics.warmupCounters;
    if (warmup === undefined) throw new Error('warmupCounters missing');
    const stats = target.stats();
    expect(outcome.isAborted).toBe(false);
    expect(counters.errors).toEqual({});
    expect(warmup.errors).toEqual({});
    expect(counters.transactions).toBeGreaterThan(0);
    expect(warmup.transactions).toBeGreaterThan(0);
    expect(counters.roundTrips).toBe(counters.transactions * p.roundTripsPerTransaction);
    expect(counters.bytesSent).toBe(counters.roundTrips * p.requestBytes);
    expect(counters.bytesReceived).toBe(counters.roundTrips * p.responseBytes);
    expect(warmup.bytesSent).toBe(warmup.roundTrips * p.requestBytes);
    expect(counters.bytesSent + warmup.bytesSent).toBe(stats.bytesReceived);
    expect(counters.bytesReceived + warmup.bytesReceived).toBe(stats.bytesSent);
    expect(counters.roundTrips + warmup.roundTrips).toBe(stats.requests);
    expect(counters.connectionsOpened).toBe(p.connections);
    expect(stats.connectionsAccepted).toBe(p.connections);
    expect(histograms.roundTrip.summary.count).toBe(counters.roundTrips);
    expect(histograms.transaction.summary.count).toBe(counters.transactions);
    expect(histograms.connect.summary.count).toBe(p.connections);
    for (const h of [histograms.roundTrip, histograms.transaction]) {
      expect(h.unit).toBe('us');
      expect(h.summary.p50Us).toBeLessThanOrEqual(h.summary.p99Us);
      expect(h.summary.p99Us).toBeLessThanOrEqual(h.summary.maxUs);
    }
    expect(histograms.transaction.summary.p50Us).toBeGreaterThanOrEqual(histograms.roundTrip.summary.p50Us);
    expect(outcome.metrics.transactionsPerSec).toBeCloseTo(counters.transactions / 0.3, 6);
    expect(outcome.metrics.intervals?.map((i) => [i.startMs, i.durationMs])).toEqual([[0, 300]]);
  });

  test('is registered under its kind, and the registry refuses params of another kind', async () => {
    const driver = workloads['tcp-request-response'];
    const wrong = { kind: 'connection-churn', connections: 1 } as const;

    const run = driver.run({ dialAddress: { host: '127.0.0.1', port: 1 }, params: wrong, warmupMs: 0, durationMs: 1, signal: AbortSignal.timeout(5000), clock: systemClock });

    expect(driver.kind).toBe(tcpRequestResponse.kind);
    await expect(run).rejects.toMatchObject({ code: 'ERR_WORKLOAD' });
  });

  test('counts refused connects without throwing when the target is down', async () => {
    const address = await reserveClosedPort();

    const outcome = await tcpRequestResponse.run({
      dialAddress: address,
      params: params({ connections: 1 }),
      warmupMs: 0,
      durationMs: 200,
      signal: AbortSignal.timeout(20_000),
      clock: systemClock,
    });

    const { counters } = outcome.metrics;
    expect(counters.errors.refused ?? 0).toBeGreaterThan(1);
    expect(counters.transactions).toBe(0);
    expect(counters.connectionsOpened).toBe(0);
    // Reconnects back off: far fewer attempts than a hot loop would make in 200 ms.
    expect(counters.errors.refused ?? 0).toBeLessThan(200);
  });

  test('counts resets, reconnects and keeps running when the target resets every connection', async ({ onTestFinished }) => {
    const target = await startMisbehavingTarget('reset');
    onTestFinished(() => target.close());

    const outcome = await tcpRequestResponse.run({
      dialAddress: target.address,
      params: params({ connections: 1 }),
      warmupMs: 0,
      durationMs: 300,
      signal: AbortSignal.timeout(20_000),
      clock: systemClock,
    });

    const { counters } = outcome.metrics;
    const failures = (counters.errors.reset ?? 0) + (counters.errors.closed ?? 0);
    expect(counters.errors.reset ?? 0).toBeGreaterThan(0);
    expect(failures).toBeGreaterThan(1);
    expect(counters.connectionsOpened).toBe(target.accepted());
    expect(counters.connectionsOpened).toBeGreaterThanOrEqual(failures);
    expect(counters.transactions).toBe(0);
  });

  test('counts a response longer than asked as a mismatch', async ({ onTestFinished }) => {
    const target = await startMisbehavingTarget('too-long');
    onTestFinished(() => target.close());

    const outcome = await tcpRequestResponse.run({
      dialAddress: target.address,
      params: params({ connections: 1, roundTripsPerTransaction: 1 }),
      warmupMs: 0,
      durationMs: 200,
      signal: AbortSignal.timeout(20_000),
      clock: systemClock,
    });

    expect(outcome.metrics.counters.errors.mismatch ?? 0).toBeGreaterThan(0);
    expect(outcome.metrics.counters.transactions).toBe(0);
  });

  test('counts a stalled response as a timeout and finishes within the grace', async ({ onTestFinished }) => {
    const target = await startMisbehavingTarget('stall');
    onTestFinished(() => target.close());
    const startedMs = performance.now();

    const outcome = await tcpRequestResponse.run({
      dialAddress: target.address,
      params: params({ connections: 1, timeoutMs: 150 }),
      warmupMs: 0,
      durationMs: 200,
      signal: AbortSignal.timeout(20_000),
      clock: systemClock,
    });

    expect(outcome.metrics.counters.errors.timeout ?? 0).toBeGreaterThan(0);
    expect(performance.now() - startedMs).toBeLessThan(5000);
  });

  test('abort returns partial metrics marked aborted', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 150);
    onTestFinished(() => clearTimeout(timer));

    const outcome = await tcpRequestResponse.run({
      dialAddress: target.address,
      params: params(),
      warmupMs: 0,
      durationMs: 30_000,
      signal: controller.signal,
      clock: systemClock,
    });

    expect(outcome.isAborted).toBe(true);
    expect(outcome.metrics.counters.transactions).toBeGreaterThan(0);
    expect(outcome.metrics.durationMs).toBeGreaterThan(0);
    expect(outcome.metrics.durationMs).toBeLessThan(30_000);
    expect(outcome.metrics.counters.errors).toEqual({});
  });
});
