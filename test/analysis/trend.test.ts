// buildTrend on seeded synthetic results: groups by scenario and fingerprint, orders by start time
// whatever the input order, reads the metric as a threshold does, carries the git commit, and flags
// exactly the run whose overhead compare calls regressed against the run before.

import { describe, expect, test } from 'vitest';
import { buildTrend, trendExpression } from '../../src/analysis/trend.js';
import { evaluateThresholds } from '../../src/analysis/thresholds.js';
import type { RunResult } from '../../src/metrics/result.js';
import { createRandom, normalSample, syntheticRun, syntheticStep } from '../fixtures/results/synthetic.js';

/** A run of `name` started at `startedAt` whose relay round trip is `relayUs` around direct's 1000 µs. */
function run(name: string, startedAt: string, relayUs: number, seed: number, gitCommit?: string): RunResult {
  const random = createRandom(seed);
  const steps = [0, 1, 2].flatMap((repetition) => [
    syntheticStep({ pathId: 'direct', pathKind: 'direct', repetition, roundTrips: 1, transactions: 2000, drawRoundTripUs: () => normalSample(random, 1000, 30) }),
    syntheticStep({ pathId: 'relay-emulated', pathKind: 'relay-emulated', repetition, roundTrips: 1, transactions: 2000, drawRoundTripUs: () => normalSample(random, relayUs, 30) }),
  ]);
  const base = syntheticRun(steps);
  return {
    ...base,
    startedAt,
    scenario: { ...base.scenario, name },
    environment: { ...base.environment, ...(gitCommit === undefined ? {} : { gitCommit }) },
  };
}

const expression = (metric: string): string => {
  const parsed = trendExpression(metric);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.expression;
};

describe('buildTrend', () => {
  const inputs = [
    { file: 'c.json', result: run('alpha', '2026-11-03T00:00:00Z', 3000, 3, 'c'.repeat(40)) },
    { file: 'a.json', result: run('alpha', '2026-11-01T00:00:00Z', 1500, 1, 'a'.repeat(40)) },
    { file: 'b.json', result: run('alpha', '2026-11-02T00:00:00Z', 1500, 2, 'b'.repeat(40)) },
    { file: 'other.json', result: run('beta', '2026-11-02T12:00:00Z', 1500, 4) },
  ];

  test('keeps scenarios apart, orders by time, flags the regressed run only', () => {
    const groups = buildTrend(inputs, expression('overhead.roundTrip.p50'));

    expect(groups.map((g) => [g.scenario, g.runs.length])).toEqual([['alpha', 3], ['beta', 1]]);
    const alpha = groups[0]!;
    expect(alpha.runs.map((r) => r.file)).toEqual(['a.json', 'b.json', 'c.json']);
    expect(alpha.runs.map((r) => r.gitCommit?.[0])).toEqual(['a', 'b', 'c']);
    expect(alpha.unit).toBe('us');
    expect(alpha.runs[0]!.compare).toBeUndefined();
    expect(alpha.runs[1]!.compare?.verdict).not.toBe('regressed');
    expect(alpha.runs[2]!.compare?.verdict).toBe('regressed');
    expect(alpha.runs[2]!.compare?.regressed.some((m) => m.includes('overhead(relay-emulated) roundTrip.p50'))).toBe(true);
    expect(groups[1]!.runs[0]!.gitCommit).toBeUndefined();
  });

  test('values are what the same threshold observes, and the spread is over the runs', () => {
    const [alpha] = buildTrend(inputs, expression('overhead.roundTrip.p50'));
    const subject = alpha!.subjects[0]!;

    expect(alpha!.subjects).toHaveLength(1);
    const observed = ['a.json', 'b.json', 'c.json'].map((f) => evaluateThresholds(inputs.find((i) => i.file === f)!.result, ['overhead.roundTrip.p50 != -1us'])[0]!.observed);
    expect(alpha!.runs.map((r) => r.values[subject])).toEqual(observed);
    expect(observed[2]! - observed[0]!).toBeGreaterThan(1000);
    const spread = alpha!.spread[subject]!;
    expect(spread.n).toBe(3);
    expect(spread.mean).toBeCloseTo(observed.reduce((a, b) => a! + b!, 0)! / 3, 6);
    expect(spread.sd).toBeGreaterThan(0);
  });

  test('--since leaves older runs out; a rate metric has its own unit', () => {
    const groups = buildTrend(inputs, expression('relay.errorRate'), { sinceMs: Date.parse('2026-11-02T00:00:00Z') });

    expect(groups.map((g) => [g.scenario, g.runs.map((r) => r.file)])).toEqual([['alpha', ['b.json', 'c.json']], ['beta', ['other.json']]]);
    expect(groups[0]!.unit).toBe('fraction');
    expect(groups[0]!.runs[0]!.values[groups[0]!.subjects[0]!]).toBe(0);
  });

  test('a metric outside the threshold grammar is refused with the grammar named', () => {
    const parsed = trendExpression('overhead.bogus.p50');

    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(/is not a metric hcbench can read: .*threshold grammar/);
  });
});
