// compareResults on the committed real baseline and results derived from it.

import { describe, expect, test } from 'vitest';
import { compareResults, matchesPattern } from '../../src/analysis/compare.js';
import { checkComparability, scenarioFingerprint } from '../../src/analysis/comparability.js';
import { loadBaseline, quietBaseline, withSlowerRelay } from './compare-synthetic.js';
import { evaluateThresholds } from '../../src/analysis/thresholds.js';
import { createRandom, normalSample, syntheticRun, syntheticStep } from '../fixtures/results/synthetic.js';

const files = { baseline: 'b.json', current: 'c.json' };

describe('compareResults', () => {
  test('a result compared with itself is unchanged on every metric', () => {
    const baseline = loadBaseline();

    const report = compareResults(baseline, baseline, files);

    expect(report.isComparable).toBe(true);
    expect(report.metrics.length).toBeGreaterThanOrEqual(14);
    expect(report.metrics.every((m) => m.verdict === 'unchanged')).toBe(true);
    expect(report.verdict).toBe('unchanged');
  });

  test('+30 % on the relay path is regressed on relay latency, throughput and overhead, and direct stays unchanged', () => {
    const baseline = quietBaseline();

    const report = compareResults(baseline, withSlowerRelay(baseline), files);

    const verdictOf = (name: string) => report.metrics.find((m) => m.metric === name)?.verdict;
    expect(report.verdict).toBe('regressed');
    for (const name of ['roundTrip.p50', 'roundTrip.p99', 'transaction.p50', 'transaction.p99', 'transactionsPerSec']) {
      expect(verdictOf(`smoke@relay-emulated ${name}`), name).toBe('regressed');
    }
    expect(verdictOf('smoke overhead(relay-emulated) roundTrip.p50')).toBe('regressed');
    expect(report.metrics.filter((m) => m.metric.startsWith('smoke@direct')).every((m) => m.verdict === 'unchanged')).toBe(true);
  });

  test('a change inside the noise band of the baseline repetitions is unchanged', () => {
    const real = loadBaseline();
    const band = compareResults(real, real, files).metrics.find((m) => m.metric === 'smoke@relay-emulated roundTrip.p50');
    const insideBand = 1 + (0.9 * band!.noiseBand) / band!.baseline!;

    const report = compareResults(real, withSlowerRelay(real, insideBand), files, { tolerances: [{ pattern: '*', relative: 0 }] });

    expect(band!.noiseBand).toBeGreaterThan(0);
    expect(report.metrics.find((m) => m.metric === 'smoke@relay-emulated roundTrip.p50')?.verdict).toBe('unchanged');
  });

  test('faster is improved', () => {
    const baseline = quietBaseline();

    const report = compareResults(baseline, withSlowerRelay(baseline, 0.6), files);

    expect(report.metrics.find((m) => m.metric === 'smoke@relay-emulated transaction.p50')?.verdict).toBe('improved');
    expect(report.verdict).toBe('improved');
  });

  test('a different scenario is incomparable, with the reason', () => {
    const baseline = loadBaseline();
    const other = structuredClone(baseline);
    other.scenario = { ...other.scenario, name: 'quickstart' };

    const report = compareResults(baseline, other, files);

    expect(report.verdict).toBe('incomparable');
    expect(report.metrics).toEqual([]);
    expect(report.reasons.join('\n')).toContain('scenario name differs');
  });

  test.each([
    ['cpu count', (r: ReturnType<typeof loadBaseline>) => (r.environment.cpuCount += 6)],
    ['network profile', (r: ReturnType<typeof loadBaseline>) => (r.topology!.network = { name: 'azure-same-region', profile: {} })],
    ['fingerprint', (r: ReturnType<typeof loadBaseline>) => ((r.scenario.resolved as { target: unknown }).target = { kind: 'http' })],
  ])('a different %s is incomparable', (what, change) => {
    const baseline = loadBaseline();
    const other = structuredClone(baseline);
    change(other);

    const { reasons } = checkComparability(baseline, other);

    expect(reasons.join('\n')).toContain(what);
  });

  test('durations, repetitions, description and thresholds do not change the fingerprint; a cpu model is only a note', () => {
    const baseline = loadBaseline();
    const other = structuredClone(baseline);
    Object.assign(other.scenario.resolved as object, { durationMs: 1, repetitions: 9, description: 'x', thresholds: ['relay.errors == 0'] });
    other.environment.cpuModel = 'Other CPU';

    const { reasons, notes } = checkComparability(baseline, other);

    expect(scenarioFingerprint(other)).toBe(scenarioFingerprint(baseline));
    expect(reasons).toEqual([]);
    expect(notes.join('\n')).toContain('cpu model');
  });

  test('a step missing from the current result makes its metrics incomparable', () => {
    const baseline = loadBaseline();
    const current = structuredClone(baseline);
    current.steps = current.steps.filter((s) => s.pathId === 'direct');

    const report = compareResults(baseline, current, files);

    expect(report.verdict).toBe('incomparable');
    expect(report.metrics.find((m) => m.metric === 'smoke@relay-emulated roundTrip.p50')?.reason).toBe('not in the current result');
  });

  test('tolerance patterns use * as a wildcard', () => {
    expect([matchesPattern('smoke@relay-emulated roundTrip.p99', '*.p99'), matchesPattern('a.p50', '*.p99'), matchesPattern('x[k=1]@d p50', 'x[k=1]*')]).toEqual([true, false, true]);
  });
});

describe('compare reads the same figures as thresholds', () => {
  test('a p99 over repetitions is the merged histograms\' p99 (never an average of per-repetition p99s), equal to the threshold\'s', () => {
    const random = createRandom(5);
    // Two repetitions of very different size: averaging their p99s would give ~1.1 ms, merging ~0.3 ms.
    const steps = [
      syntheticStep({ pathId: 'direct', pathKind: 'direct', repetition: 0, roundTrips: 1, transactions: 2_000, drawRoundTripUs: () => normalSample(random, 250, 10) }),
      syntheticStep({ pathId: 'direct', pathKind: 'direct', repetition: 1, roundTrips: 1, transactions: 20, drawRoundTripUs: () => normalSample(random, 2_000, 10) }),
    ];
    const result = syntheticRun(steps);

    const report = compareResults(result, result, files);
    const p99 = report.metrics.find((m) => m.metric === 'tcp-request-response[roundTripsPerTransaction=1]@direct roundTrip.p99')!;
    const [threshold] = evaluateThresholds(result, ['direct.roundTrip.p99 < 1s']);

    expect(p99.baseline).toBe(threshold!.observed);
    expect(p99.baseline).toBeLessThan(400);
  });

  test('a noise band from n = 2 repetitions states its own uncertainty (×0.45–×31.9 at 95 %)', () => {
    const baseline = quietBaseline();

    const band = compareResults(baseline, baseline, files).metrics.find((m) => m.metric === 'smoke@relay-emulated roundTrip.p50')!;

    expect(band.baselineRepetitions).toBe(2);
    expect(band.noiseBandRange!.low / band.noiseBand).toBeCloseTo(0.446, 2);
    expect(band.noiseBandRange!.high / band.noiseBand).toBeCloseTo(31.9, 0);
    expect(band.reason).toContain('from n=2 repetitions (95 % range');
  });
});
