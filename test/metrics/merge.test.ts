import { describe, expect, test } from 'vitest';
import { StepRecorder } from '../../src/metrics/recorder.js';
import { mergeStepMetrics } from '../../src/metrics/merge.js';

function measured(roundTripsUs: number[], errors: number): ReturnType<StepRecorder['snapshot']> {
  const recorder = new StepRecorder(['responseTime']);
  for (const us of roundTripsUs) {
    recorder.countRoundTrip('measured');
    recorder.countTransaction('measured');
    recorder.recordNs('measured', 'roundTrip', BigInt(us) * 1000n);
    recorder.recordNs('measured', 'responseTime', BigInt(us) * 1000n);
  }
  for (let i = 0; i < errors; i++) recorder.countError('measured', 'reset');
  recorder.add('measured', 'sent', roundTripsUs.length + errors);
  const metrics = recorder.snapshot({ durationMs: 1000, warmupMs: 0 });
  recorder.destroy();
  return metrics;
}

describe('mergeStepMetrics', () => {
  test('adds counters and merges histograms exactly', () => {
    const merged = mergeStepMetrics([measured([10, 20, 30], 1), measured([5000, 6000], 2)]);

    expect(merged.counters).toMatchObject({ transactions: 5, roundTrips: 5, sent: 8, errors: { reset: 3 } });
    expect(merged.histograms.roundTrip.summary.count).toBe(5);
    expect(merged.histograms.roundTrip.summary.minUs).toBe(10);
    expect(merged.histograms.roundTrip.summary.maxUs).toBeGreaterThanOrEqual(6000);
    expect(merged.histograms.responseTime?.summary.count).toBe(5);
    expect(merged.transactionsPerSec).toBe(5);
    expect(merged.warmupCounters?.transactions).toBe(0);
  });
});
