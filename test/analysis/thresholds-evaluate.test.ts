// Threshold evaluation over fixed results: per variant and path, over repetitions, overhead, windows.

import { describe, expect, test } from 'vitest';
import { evaluateThresholds, thresholdsPassed } from '../../src/analysis/thresholds.js';
import { loadSweepFixture } from '../report/fixture.js';

const K1 = 'tcp-request-response[roundTripsPerTransaction=1]';

describe('evaluateThresholds', () => {
  test('gives one verdict per measured variant on each matching path and fails the bound that is too tight', () => {
    const result = loadSweepFixture();

    const verdicts = evaluateThresholds(result, ['relay.transaction.p99 < 60s', 'direct.transaction.p50 < 1us']);

    expect(verdicts.map((v) => [v.subject, v.status])).toEqual([
      [`${K1}@relay-emulated`, 'passed'],
      ['tcp-request-response[roundTripsPerTransaction=5]@relay-emulated', 'passed'],
      [`${K1}@direct`, 'failed'],
      ['tcp-request-response[roundTripsPerTransaction=5]@direct', 'failed'],
    ]);
    expect(thresholdsPassed(verdicts)).toBe(false);
  });

  test('merges repetitions exactly: max over both repetitions', () => {
    const result = loadSweepFixture();
    const steps = result.steps.filter((s) => s.stepId === `${K1}@direct` && s.status === 'completed');
    const maxUs = Math.max(...steps.map((s) => (s.status === 'completed' ? s.metrics.histograms.roundTrip.summary.maxUs : 0)));

    const [v] = evaluateThresholds(result, [{ expr: 'direct.roundTrip.max <= 60s', step: K1 }]);

    expect(v?.observed).toBe(maxUs);
  });

  test('overhead uses the paired relay − direct delta and can be bounded as a ratio', () => {
    const result = loadSweepFixture();

    const verdicts = evaluateThresholds(result, [{ expr: 'overhead.roundTrip.p50 > 0us', step: K1 }, { expr: 'overhead.roundTrip.p50.ratio > 1', step: K1 }]);

    expect(verdicts.map((v) => v.status)).toEqual(['passed', 'passed']);
    expect(verdicts[0]?.unit).toBe('us');
    expect(verdicts[1]?.unit).toBe('ratio');
  });

  test('rates are fractions of what was sent and scheduled (errors fail `== 0`)', () => {
    const result = loadSweepFixture();

    const verdicts = evaluateThresholds(result, [{ expr: 'relay.errorRate == 0', step: K1 }, { expr: 'relay.droppedRate == 0', step: K1 }]);

    const step = result.steps.find((s) => s.stepId === `${K1}@relay-emulated` && s.status === 'completed');
    const counters = step?.status === 'completed' ? step.metrics.counters : undefined;
    const errors = Object.values(counters?.errors ?? {}).reduce((a, b) => a + (b ?? 0), 0);
    expect(errors).toBeGreaterThan(0);
    expect(verdicts.map((v) => v.status)).toEqual(['failed', 'passed']);
    expect(verdicts[0]?.observed).toBeGreaterThan(0);
    expect(verdicts[0]?.observed).toBeLessThan(1);
    expect(verdicts[1]?.observed).toBe(0);
  });

  test('windows give one verdict per window of the interval histograms', () => {
    const result = loadSweepFixture();

    const verdicts = evaluateThresholds(result, [{ expr: 'direct.roundTrip.p99 < 60s', step: K1, windowMs: 500 }]);

    expect(verdicts.length).toBeGreaterThanOrEqual(2);
    expect(verdicts.every((v) => v.status === 'passed' && / \d+–\d+ ms$/.test(v.subject))).toBe(true);
  });

  test('a threshold that matches no step is no-data and fails the gate', () => {
    const verdicts = evaluateThresholds(loadSweepFixture(), [{ expr: 'relay.roundTrip.p50 < 1s', step: 'absent' }]);

    expect(verdicts.map((v) => v.status)).toEqual(['no-data']);
    expect(thresholdsPassed(verdicts)).toBe(false);
  });
});

describe('a gate that measured nothing does not pass', () => {
  test('with nothing sent, errorRate, droppedRate, lateRate, errors and dropped are no-data (a failure), not 0', () => {
    const result = loadSweepFixture();
    // The relay path of variant k=1 sent nothing: no transactions, no errors, nothing scheduled.
    for (const step of result.steps) {
      if (step.status === 'failed' || step.stepId !== `${K1}@relay-emulated`) continue;
      step.metrics.counters = { transactions: 0, roundTrips: 0, connectionsOpened: 0, bytesSent: 0, bytesReceived: 0, errors: {}, sent: 0, scheduled: 0, dropped: 0, late: 0 };
    }

    const exprs = ['relay.errorRate < 0.1%', 'relay.droppedRate == 0', 'relay.lateRate == 0', 'relay.errors == 0', 'relay.dropped == 0'];
    const verdicts = evaluateThresholds(result, exprs.map((expr) => ({ expr, step: K1 })));

    expect(verdicts.map((v) => v.status)).toEqual(['no-data', 'no-data', 'no-data', 'no-data', 'no-data']);
    expect(verdicts[0]!.message).toContain('nothing was sent');
    expect(thresholdsPassed(verdicts)).toBe(false);
  });

  test('a stream that moved bytes but completed no transaction in the window measured something: errorRate 0 passes', () => {
    const result = loadSweepFixture();
    for (const step of result.steps) {
      if (step.status === 'failed' || step.stepId !== `${K1}@relay-emulated`) continue;
      step.metrics.counters = { transactions: 0, roundTrips: 0, connectionsOpened: 1, bytesSent: 1_000_000, bytesReceived: 0, errors: {} };
    }

    const verdicts = evaluateThresholds(result, [{ expr: 'relay.errorRate == 0', step: K1 }]);

    expect(verdicts.map((v) => [v.status, v.observed])).toEqual([['passed', 0]]);
  });

  test('a path that sent and had no errors still passes errorRate == 0', () => {
    const verdicts = evaluateThresholds(loadSweepFixture(), [{ expr: 'direct.errorRate == 0', step: K1 }]);

    expect(verdicts.map((v) => [v.status, v.observed])).toEqual([['passed', 0]]);
  });
});
