import { describe, expect, test } from 'vitest';
import { MAX_DISPATCH_LAG_P99_US, probeVerdict } from '../../bench/entries/generator-capacity.js';
import { searchRates } from '../../bench/lib/rate-search.js';
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

describe('generator-capacity rate search (a failure counts only when its second try fails too)', () => {
  /** A probe that answers from a script: `fails[threads][rate]` = how many first tries fail. */
  function scripted(fails: Record<number, Record<number, number>>) {
    const calls: string[] = [];
    const left = structuredClone(fails);
    const probe = async (rate: number, threads: number) => {
      calls.push(`${threads}@${rate}`);
      const byRate = left[threads] ?? {};
      const n = byRate[rate] ?? 0;
      if (n > 0) {
        byRate[rate] = n - 1;
        return { verdict: `lag at ${rate}`, lagP99Us: 900 };
      }
      return { verdict: undefined, lagP99Us: rate / 100 };
    };
    return { probe, calls };
  }
  const run = (probe: (rate: number, threads: number) => Promise<{ verdict: string | undefined; lagP99Us: number }>) =>
    searchRates({ rates: [1000, 2000, 4000, 10_000, 12_000], threads: [1, 2], goalRatePerSec: 10_000, probe, signal: new AbortController().signal });

  test('one stalled window at a low rate no longer ends the search at 0/s; it is listed', async () => {
    const { probe, calls } = scripted({ 1: { 1000: 1, 12_000: 2 }, 2: { 2000: 2 } });
    const [one, two] = await run(probe);
    // 12,000/s failed twice; the bisection's 11,000/s passed.
    expect(one).toMatchObject({ best: 11_000, failedAt: 12_000, failure: 'lag at 12000', goal: { verdict: undefined } });
    expect(one?.passedOnRetry).toEqual([{ ratePerSec: 1000, firstVerdict: 'lag at 1000' }]);
    // Two threads failed 2,000/s twice: that is their failure; the goal is still probed for them
    // and passed, so it is their best, and nothing below a higher best is bisected.
    expect(two).toMatchObject({ best: 10_000, failedAt: 2000, goal: { verdict: undefined } });
    expect(calls.filter((c) => c.startsWith('2@'))).toEqual(['2@1000', '2@2000', '2@2000', '2@10000']);
  });

  test('a rate failing both tries stops that thread count; the goal passing alone still counts as its best', async () => {
    const { probe, calls } = scripted({ 1: { 1000: 2 }, 2: { 1000: 2, 10_000: 2 } });
    const [one, two] = await run(probe);
    expect(one).toMatchObject({ best: 10_000, failedAt: 1000, passedOnRetry: [] });
    expect(two).toMatchObject({ best: 0, failedAt: 1000, goal: { verdict: 'lag at 10000' } });
    // Interleaved at each rate, then the goal for each, no bisection above a best that is already higher.
    expect(calls).toEqual(['1@1000', '1@1000', '2@1000', '2@1000', '1@10000', '2@10000', '2@10000']);
  });
});
