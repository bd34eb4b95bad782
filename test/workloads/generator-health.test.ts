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
  test('a generator that kept up is valid', () => {
    const health = judge(metricsWithLag(200, 300), quietLoop, 40, 1);

    expect(health).toMatchObject({ isValid: true, invalidReasons: [], generators: 1 });
  });

  test('dispatch lag or loop delay beyond the bound flag the step invalid with reasons', () => {
    const health = judge(metricsWithLag(5000, 300), { ...quietLoop, p99Us: 3000 }, 99, 1);

    expect(health.isValid).toBe(false);
    expect(health.invalidReasons).toHaveLength(2);
    expect(health.invalidReasons[0]).toMatch(/^dispatch lag p99 \d+ µs > 1000 µs$/);
  });

  test('a saturated CPU flags a closed-model step (no dispatch lag to judge by) but not an open one that kept up', () => {
    const closed = new StepRecorder();
    closed.recordNs('measured', 'roundTrip', 50_000n);
    const closedMetrics = closed.snapshot({ durationMs: 100, warmupMs: 0 });
    closed.destroy();

    expect(judge(closedMetrics, quietLoop, 99, 1).invalidReasons).toEqual(['generator cpu 99 % > 95 %']);
    expect(judge(metricsWithLag(200, 300), quietLoop, 99, 1).isValid).toBe(true);
  });

  test('the bound grows with what is measured: 25 % of the p50', () => {
    const health = judge(metricsWithLag(5000, 40_000), quietLoop, 10, 1);

    expect(health.isValid).toBe(true);
  });

  test('queueing that inflates response time does not loosen the bound (it follows service time)', () => {
    const recorder = new StepRecorder(['dispatchLag', 'responseTime', 'serviceTime']);
    recorder.recordNs('measured', 'dispatchLag', 5_000_000n);
    recorder.recordNs('measured', 'responseTime', 1_000_000_000n);
    recorder.recordNs('measured', 'serviceTime', 300_000n);
    const metrics = recorder.snapshot({ durationMs: 100, warmupMs: 0 });
    recorder.destroy();

    const health = judge(metrics, quietLoop, 10, 1);

    expect(health.isValid).toBe(false);
    expect(health.invalidReasons[0]).toContain('> 1000 µs');
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
  });
});
