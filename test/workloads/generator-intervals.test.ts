// Merging generator threads' live intervals: two real StepRecorders (one per "thread") report their
// intervals, which go through the posted (structured-clone) form to the merger. Each interval is
// emitted once, in order, when both threads have reached it; its figures are exact merges (counts
// summed, percentiles of the merged histogram, never averaged), and a thread that skipped an
// interval (no round trips in it) adds nothing to it.

import { describe, expect, test } from 'vitest';
import { createLatencyHistogram, recordUs, summarize } from '../../src/metrics/histogram.js';
import { StepRecorder, type LiveInterval } from '../../src/metrics/recorder.js';
import { IntervalMerger, postedInterval, type PostedInterval } from '../../src/workloads/generator-intervals.js';

const SECOND = 1_000_000_000n;

/** A recorder whose posted intervals are collected, as a generator thread posts them. */
function thread(): { recorder: StepRecorder; posted: PostedInterval[]; record(intervalIndex: number, us: number): void } {
  const recorder = new StepRecorder();
  const posted: PostedInterval[] = [];
  recorder.setIntervalListener((interval) => {
    const message = postedInterval(interval);
    if (message !== undefined) posted.push(structuredClone(message));
  });
  recorder.startIntervals(0n, 1000);
  return {
    recorder,
    posted,
    record(intervalIndex, us) {
      recorder.countRoundTrip('measured');
      recorder.recordNs('measured', 'roundTrip', BigInt(us) * 1000n, BigInt(intervalIndex) * SECOND + 1000n);
    },
  };
}

describe('IntervalMerger', () => {
  test('emits each interval once both threads reached it, with exactly merged figures', () => {
    const a = thread();
    const b = thread();
    // A: intervals 0, 1, 2, 3 (3 only closes 2). B: intervals 0, 2, 3 (skips 1).
    const values = { a: [[100, 110, 120], [200, 210], [300], [1]], b: [[1000, 1100], [], [3000, 3100, 3200], [1]] };
    values.a.forEach((list, i) => list.forEach((us) => a.record(i, us)));
    values.b.forEach((list, i) => list.forEach((us) => b.record(i, us)));
    expect(a.posted.map((p) => p.index)).toEqual([0, 1, 2]);
    expect(b.posted.map((p) => p.index)).toEqual([0, 2]);

    const emitted: { interval: LiveInterval; cumulativeCount: number }[] = [];
    const merger = new IntervalMerger(2, (interval) => emitted.push({ interval, cumulativeCount: interval.histograms?.().roundTrip.totalCount ?? -1 }));
    merger.add(0, a.posted[0]!);
    expect(emitted).toHaveLength(0);
    merger.add(0, a.posted[1]!);
    merger.add(1, b.posted[0]!);
    merger.add(0, a.posted[2]!);
    merger.add(1, b.posted[1]!);

    expect(emitted.map((e) => e.interval.index)).toEqual([0, 2]);
    const [first, second] = emitted.map((e) => e.interval);
    // Interval 0: A's three and B's two round trips; p50 of the five, not a mean of two p50s.
    expect(first!.roundTrips).toBe(5);
    const five = createLatencyHistogram();
    [100, 110, 120, 1000, 1100].forEach((us) => recordUs(five, us));
    expect(first!.p50Us).toBe(five.getValueAtPercentile(50));
    // Emitted when B reached 0: A was at 1 then, so the window so far has A's 0..1 and B's 0.
    expect(first!.counters.roundTrips).toBe(a.posted[1]!.counters.roundTrips + b.posted[0]!.counters.roundTrips);
    expect(first!.latency.roundTrip.count).toBe(7);
    expect(emitted[0]!.cumulativeCount).toBe(7);
    // Interval 2: A's one and B's three; the window so far is both threads' 0..2.
    expect(second!.roundTrips).toBe(4);
    expect(second!.counters.roundTrips).toBe(a.posted[2]!.counters.roundTrips + b.posted[1]!.counters.roundTrips);
    const all = createLatencyHistogram();
    [...values.a.slice(0, 3).flat(), ...values.b.slice(0, 3).flat()].forEach((us) => recordUs(all, us));
    expect(second!.latency.roundTrip).toEqual(summarize(all));

    // A late or repeated interval changes nothing.
    merger.add(1, b.posted[0]!);
    expect(emitted).toHaveLength(2);
    for (const h of [five, all]) h.destroy();
    a.recorder.destroy();
    b.recorder.destroy();
  });
});
