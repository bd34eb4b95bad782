import { describe, expect, test } from 'vitest';
import { StepRecorder, type LiveInterval } from '../../src/metrics/recorder.js';
import { decodeRecord } from '../../src/metrics/histogram.js';

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

describe('StepRecorder intervals', () => {
  test('files round trips by completion time and adds late completions to the last interval', () => {
    const recorder = new StepRecorder();
    recorder.startIntervals(1_000_000_000n, 100);

    recorder.recordNs('measured', 'roundTrip', 50_000n, 1_010_000_000n);
    recorder.recordNs('measured', 'roundTrip', 60_000n, 1_150_000_000n);
    recorder.recordNs('measured', 'roundTrip', 70_000n, 1_190_000_000n);
    recorder.recordNs('measured', 'roundTrip', 80_000n, 1_400_000_000n);
    recorder.recordNs('warmup', 'roundTrip', 90_000n, 990_000_000n);
    const metrics = recorder.snapshot({ durationMs: 250, warmupMs: 0 });
    recorder.destroy();

    const counts = (metrics.intervals ?? []).map((i) => decodeRecord({ unit: 'us', summary: metrics.histograms.roundTrip.summary, encoded: i.roundTrip }).totalCount);
    expect(metrics.intervals?.map((i) => [i.startMs, i.durationMs])).toEqual([[0, 100], [100, 100], [200, 50]]);
    expect(counts).toEqual([1, 2, 1]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(metrics.histograms.roundTrip.summary.count);
  });
  test('a finished interval reports the measured window so far: counters (a copy) and latency summaries', () => {
    const recorder = new StepRecorder();
    const seen: LiveInterval[] = [];
    recorder.setIntervalListener((interval) => seen.push(interval));
    recorder.startIntervals(0n, 100);
    recorder.recordNs('warmup', 'roundTrip', 9_000_000n);
    for (const atMs of [10, 20, 30]) {
      recorder.recordNs('measured', 'roundTrip', 1_000_000n, BigInt(atMs) * 1_000_000n);
      recorder.countRoundTrip('measured');
    }
    recorder.recordNs('measured', 'transaction', 3_000_000n);
    recorder.countTransaction('measured');
    recorder.countError('measured', 'timeout');
    // The first round trip of the next interval closes the first.
    recorder.recordNs('measured', 'roundTrip', 5_000_000n, 150_000_000n);
    recorder.countRoundTrip('measured');
    recorder.destroy();

    expect(seen).toHaveLength(1);
    const [first] = seen;
    expect(first).toMatchObject({ index: 0, roundTrips: 3, transactions: 1, errors: 1 });
    // Reported when the next interval's first round trip arrives, before it is recorded: the window up to the interval's end.
    expect(first!.counters).toMatchObject({ roundTrips: 3, transactions: 1, errors: { timeout: 1 } });
    expect(first!.latency.roundTrip).toMatchObject({ count: 3, minUs: 1000 });
    expect(first!.latency.roundTrip.maxUs).toBeLessThan(1010);
    expect(first!.latency.transaction.count).toBe(1);
    expect(first!.latency.connect.count).toBe(0);
  });
});
