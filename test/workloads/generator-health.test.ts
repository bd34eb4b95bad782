import { describe, expect, test } from 'vitest';
import { judge } from '../../src/workloads/generator-health.js';
import { workloads } from '../../src/workloads/index.js';
import { startRequestResponseTarget } from '../../src/targets/tcp-request-response-server.js';
import { StepRecorder } from '../../src/metrics/recorder.js';
import { systemClock } from '../../src/workloads/types.js';
import type { LatencySummary } from '../../src/metrics/result.js';

const quietLoop: LatencySummary = { count: 100, minUs: 0, meanUs: 10, stdDevUs: 5, p50Us: 10, p90Us: 20, p99Us: 50, p999Us: 80, maxUs: 90 };

function metricsWithLag(lagUs: number, roundTripUs: number) {
  const recorder = new StepRecorder(['dispatchLag']);
  recorder.recordNs('measured', 'dispatchLag', BigInt(lagUs) * 1000n);
  recorder.recordNs('measured', 'roundTrip', BigInt(roundTripUs) * 1000n);
  const metrics = recorder.snapshot({ durationMs: 100, warmupMs: 0 });
  recorder.destroy();
  return metrics;
}

describe('generator health', () => {
  test('a generator whose timing error is small against every figure trusts them all', () => {
    const health = judge(metricsWithLag(150, 3000), quietLoop, 40, 1);

    expect(health).toMatchObject({ isValid: true, invalidReasons: [], untrusted: [], generators: 1 });
  });

  test('a large dispatch lag untrusts the statistics it can spoil, with the numbers that condemned them', () => {
    const health = judge(metricsWithLag(5000, 300), quietLoop, 99, 1);

    expect(health.isValid).toBe(false);
    expect(health.untrusted).toContain('roundTrip.p50');
    expect(health.invalidReasons[0]).toMatch(/^roundTrip\.\S+ \d+ µs: generator timing error at (mean|p\S+) \d+ µs > tolerance \d+ µs$/);
  });

  test('the same stall spoils a small figure but not a large one (tolerance = max(25 %, 200 µs))', () => {
    const stall: LatencySummary = { ...quietLoop, p99Us: 1000, p999Us: 1000, maxUs: 1000 };
    const noise = { samples: 1000, meanUs: 100, p95Us: 1000, p99Us: 1000, p999Us: 1000, p9999Us: 1000, maxUs: 1000 };

    expect(judge(metricsWithLag(0, 11_000), stall, 10, 1, noise).untrusted).toEqual([]);
    expect(judge(metricsWithLag(0, 170), stall, 10, 1, noise).untrusted).toContain('roundTrip.p50');
  });

  test('a saturated CPU untrusts a closed-model step\'s throughput, not an open one that kept up', () => {
    const closed = new StepRecorder();
    closed.recordNs('measured', 'roundTrip', 50_000n);
    const closedMetrics = closed.snapshot({ durationMs: 100, warmupMs: 0 });
    closed.destroy();

    expect(judge(closedMetrics, quietLoop, 99, 1).invalidReasons).toEqual(['transactionsPerSec: generator cpu 99 % > 95 %']);
    expect(judge(metricsWithLag(150, 3000), quietLoop, 99, 1).isValid).toBe(true);
  });

  test('pool wait is a result: a long wait for a connection does not count as generator timing error', () => {
    const recorder = new StepRecorder(['dispatchLag', 'poolWait', 'responseTime', 'serviceTime']);
    recorder.recordNs('measured', 'dispatchLag', 50_000n);
    recorder.recordNs('measured', 'poolWait', 900_000_000n);
    recorder.recordNs('measured', 'responseTime', 1_000_000_000n);
    recorder.recordNs('measured', 'serviceTime', 100_000_000n);
    recorder.recordNs('measured', 'roundTrip', 2_500_000n);
    const metrics = recorder.snapshot({ durationMs: 100, warmupMs: 0 });
    recorder.destroy();

    const health = judge(metrics, quietLoop, 10, 1);

    expect(health.noise?.maxUs).toBeLessThan(1000);
    expect(health.isValid).toBe(true);
  });

  test('drivers run through the registry report generator health', async ({ onTestFinished }) => {
    const target = await startRequestResponseTarget();
    onTestFinished(() => target.close());

    const outcome = await workloads['tcp-request-response'].run({
      dialAddress: target.address,
      params: { kind: 'tcp-request-response', connections: 1, roundTripsPerTransaction: 1, requestBytes: 64, responseBytes: 64, load: { model: 'open', ratePerSec: 100 } },
      warmupMs: 0,
      durationMs: 200,
      signal: AbortSignal.timeout(20_000),
      clock: systemClock,
    });

    const g = outcome.metrics.generator;
    expect(g?.eventLoopDelay.count).toBeGreaterThan(0);
    expect(g?.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(typeof g?.isValid).toBe('boolean');
    expect(g?.isValid).toBe(g?.invalidReasons.length === 0);
    expect(g?.noise?.samples).toBeGreaterThan(0);
    expect(g?.noise?.p95Us).toBeLessThanOrEqual(g?.noise?.maxUs ?? -1);
  });
});
