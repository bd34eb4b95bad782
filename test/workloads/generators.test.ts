import { describe, expect, test } from 'vitest';
import { workloads } from '../../src/workloads/index.js';
import { generatorJobs, splitParams } from '../../src/workloads/generators.js';
import { startRequestResponseTarget } from '../../src/targets/tcp-request-response-server.js';
import { systemClock, type TcpRequestResponseParams } from '../../src/workloads/types.js';

describe('generators: N worker threads', () => {
  test('splitParams shares connections and open-model rates and varies the Poisson seed', () => {
    const params: TcpRequestResponseParams = {
      kind: 'tcp-request-response',
      connections: 5,
      roundTripsPerTransaction: 1,
      requestBytes: 64,
      responseBytes: 64,
      generators: 2,
      load: { model: 'open', arrivals: 'poisson', ratePerSec: 1000, seed: 9, stages: [{ durationMs: 100, targetRatePerSec: 500 }] },
    };

    const parts = [0, 1].map((i) => splitParams(params, i, 2));

    expect(parts.map((p) => p.connections)).toEqual([3, 2]);
    expect(parts.map((p) => (p.load?.model === 'open' ? [p.load.ratePerSec, p.load.seed, p.load.stages?.[0]?.targetRatePerSec] : []))).toEqual([
      [500, 9, 250],
      [500, 10, 250],
    ]);
    expect(parts.every((p) => p.generators === 1)).toBe(true);
  });

  test('two threads measure one merged step whose counts and bytes match the target', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const params: TcpRequestResponseParams = {
      kind: 'tcp-request-response',
      connections: 4,
      roundTripsPerTransaction: 2,
      requestBytes: 64,
      responseBytes: 128,
      generators: 2,
      load: { model: 'open', ratePerSec: 200 },
    };

    const outcome = await workloads['tcp-request-response'].run({
      dialAddress: target.address,
      params,
      warmupMs: 100,
      durationMs: 300,
      signal: AbortSignal.timeout(30_000),
      clock: systemClock,
    });

    const m = outcome.metrics;
    const c = m.counters;
    const w = m.warmupCounters;
    expect(c.errors).toEqual({});
    expect(c.connectionsOpened).toBe(4);
    expect(target.stats().connectionsAccepted).toBe(4);
    expect(c.scheduled).toBeGreaterThanOrEqual(58);
    expect(c.scheduled).toBeLessThanOrEqual(62);
    expect(c.scheduled).toBe((c.sent ?? 0) + (c.dropped ?? 0));
    expect(c.roundTrips).toBe(2 * c.transactions);
    expect(c.bytesSent + (w?.bytesSent ?? 0)).toBe(target.stats().bytesReceived);
    expect(m.histograms.roundTrip.summary.count).toBe(c.roundTrips);
    expect(m.histograms.responseTime?.summary.count).toBe(c.transactions);
    expect(m.timing?.ratePerSec).toBe(200);
    expect(m.generator?.generators).toBe(2);
  });

  test('refuses more generators than connections', async () => {
    const run = workloads['tcp-request-response'].run({
      dialAddress: { host: '127.0.0.1', port: 1 },
      params: { kind: 'tcp-request-response', connections: 1, roundTripsPerTransaction: 1, requestBytes: 8, responseBytes: 1, generators: 2 },
      warmupMs: 0,
      durationMs: 10,
      signal: AbortSignal.timeout(5000),
      clock: systemClock,
    });

    await expect(run).rejects.toMatchObject({ code: 'ERR_WORKLOAD' });
  });

  test('an abort reaches every thread and returns merged partial metrics', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const controller = new AbortController();
    const poll = setInterval(() => {
      if (target.stats().requests > 0) {
        clearInterval(poll);
        controller.abort();
      }
    }, 20);
    onTestFinished(() => clearInterval(poll));
    const startedMs = performance.now();

    const outcome = await workloads['tcp-request-response'].run({
      dialAddress: target.address,
      params: { kind: 'tcp-request-response', connections: 2, roundTripsPerTransaction: 1, requestBytes: 64, responseBytes: 64, generators: 2 },
      warmupMs: 0,
      durationMs: 60_000,
      signal: controller.signal,
      clock: systemClock,
    });

    expect(outcome.isAborted).toBe(true);
    expect(performance.now() - startedMs).toBeLessThan(30_000);
    expect(outcome.metrics.counters.errors).toEqual({});
    expect(outcome.metrics.durationMs).toBeLessThan(60_000);
  });

  test('every thread gets one shared window start (the caller\'s, else now), not a window of its own', () => {
    const options = {
      dialAddress: { host: '127.0.0.1', port: 1 },
      params: { kind: 'tcp-request-response' as const, connections: 4, roundTripsPerTransaction: 1, requestBytes: 8, responseBytes: 8, generators: 3 },
      warmupMs: 100,
      durationMs: 200,
      signal: AbortSignal.timeout(5000),
      clock: systemClock,
    };

    const given = generatorJobs({ ...options, windowStartNs: 123_456_789n }, 3);
    const before = systemClock.nowNs();
    const defaulted = generatorJobs(options, 3);

    expect(given.map((j) => j.windowStartNs)).toEqual([123_456_789n, 123_456_789n, 123_456_789n]);
    expect(new Set(defaulted.map((j) => j.windowStartNs)).size).toBe(1);
    expect(defaulted[0]!.windowStartNs).toBeGreaterThanOrEqual(before);
  });

  test('the shared window opens once every thread is ready: a start already past is moved to then, and the outcome says so', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());
    const before = systemClock.nowNs();

    const outcome = await workloads['tcp-request-response'].run({
      dialAddress: target.address,
      params: { kind: 'tcp-request-response', connections: 2, roundTripsPerTransaction: 1, requestBytes: 64, responseBytes: 64, generators: 2, load: { model: 'open', ratePerSec: 100 } },
      warmupMs: 100,
      durationMs: 300,
      // A window that started (and ended) 10 s ago: threads booting after it would measure nothing.
      windowStartNs: systemClock.nowNs() - 10_000_000_000n,
      signal: AbortSignal.timeout(30_000),
      clock: systemClock,
    });

    expect(outcome.windowStartNs).toBeDefined();
    expect(outcome.windowStartNs!).toBeGreaterThan(before);
    // Both threads scheduled their share of the whole window: 100/s for 0.3 s.
    const c = outcome.metrics.counters;
    expect(c.scheduled).toBeGreaterThanOrEqual(28);
    expect(c.scheduled).toBeLessThanOrEqual(32);
    expect(c.connectionsOpened).toBe(2);
  });
});
