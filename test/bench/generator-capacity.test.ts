import { describe, expect, test } from 'vitest';
import { MAX_DISPATCH_LAG_P99_US, probeVerdict } from '../../bench/entries/generator-capacity.js';
import { StepRecorder } from '../../src/metrics/recorder.js';
import type { StepMetrics } from '../../src/metrics/result.js';

/** Metrics of a 1 s probe: `n` transactions with the given dispatch lags (µs, cycled), `dropped` drops. */
function probeMetrics(n: number, lagsUs: readonly number[], dropped = 0): StepMetrics {
  const recorder = new StepRecorder(['dispatchLag']);
  for (let i = 0; i < n; i++) {
    recorder.add('measured', 'sent');
    recorder.countTransaction('measured');
    recorder.recordNs('measured', 'dispatchLag', BigInt((lagsUs[i % lagsUs.length] ?? 0) * 1000));
  }
  if (dropped > 0) recorder.add('measured', 'dropped', dropped);
  const metrics = recorder.snapshot({ durationMs: 1000, warmupMs: 0 });
  recorder.destroy();
  return metrics;
}

describe('generator-capacity probe verdict (#15: lag p99 <= 200 µs, no drops)', () => {
  test('passes at the bound, fails just above it, on any drop, and below 95 % of the rate', () => {
    expect(MAX_DISPATCH_LAG_P99_US).toBe(200);
    // 100 transactions: the 99th percentile is the 99th value.
    const lags = (p99: number): number[] => [...Array.from({ length: 98 }, () => 5), p99, 5000];
    expect(probeVerdict(probeMetrics(10_000, lags(200)), 10_000)).toBeUndefined();
    expect(probeVerdict(probeMetrics(10_000, lags(201)), 10_000)).toMatch(/dispatch lag p99 201 µs/);
    expect(probeVerdict(probeMetrics(10_000, lags(20), 1), 10_000)).toMatch(/^1 dropped/);
    expect(probeVerdict(probeMetrics(9000, lags(20)), 10_000)).toMatch(/achieved 9000\/s/);
  });
});
