import { describe, expect, test } from 'vitest';
import { StepRecorder } from '../../src/metrics/recorder.js';

describe('StepRecorder', () => {
  test('keeps warm-up out of the histograms and the measured counters', () => {
    const recorder = new StepRecorder();

    recorder.recordNs('warmup', 'roundTrip', 9_000_000n);
    recorder.countRoundTrip('warmup');
    recorder.addBytesSent('warmup', 64);
    recorder.recordNs('measured', 'roundTrip', 51_400n);
    recorder.countRoundTrip('measured');
    recorder.addBytesSent('measured', 128);
    recorder.countError('measured', 'reset');
    recorder.countError('measured', 'reset');
    const metrics = recorder.snapshot({ durationMs: 500, warmupMs: 100 });
    recorder.destroy();

    expect(metrics.histograms.roundTrip.summary.count).toBe(1);
    expect(metrics.histograms.roundTrip.summary.maxUs).toBe(51);
    expect(metrics.counters).toMatchObject({ roundTrips: 1, bytesSent: 128, errors: { reset: 2 } });
    expect(metrics.warmupCounters).toMatchObject({ roundTrips: 1, bytesSent: 64, errors: {} });
    expect(metrics.roundTripsPerSec).toBe(2);
  });

  test('snapshot is a plain copy that later recording does not change', () => {
    const recorder = new StepRecorder();
    recorder.countTransaction('measured');

    const first = recorder.snapshot({ durationMs: 1000, warmupMs: 0 });
    recorder.countTransaction('measured');
    recorder.countError('measured', 'timeout');
    const json = JSON.parse(JSON.stringify(first)) as unknown;
    recorder.destroy();

    expect(first.counters.transactions).toBe(1);
    expect(first.counters.errors).toEqual({});
    expect(json).toEqual(first);
  });
});
