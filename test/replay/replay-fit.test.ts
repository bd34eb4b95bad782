// The per-turn fit of a replay step: its conversations grouped by round trips are the points of
// the same weighted fit the synthetic round-trip sweeps use, so the relay's cost per round trip and
// per conversation come out of analyzeRun like theirs. Exact linear data gives exact slopes.

import { describe, expect, test } from 'vitest';
import { analyzeRun } from '../../src/analysis/analyze-run.js';
import type { StepResult } from '../../src/metrics/result.js';
import { syntheticRun, syntheticStep } from '../fixtures/results/synthetic.js';

function replayStep(pathId: string, pathKind: 'direct' | 'relay-emulated', interceptUs: number, slopeUs: number): StepResult {
  const base = syntheticStep({ pathId, pathKind, roundTrips: 1, transactions: 60, drawRoundTripUs: () => slopeUs });
  if (base.status !== 'completed') throw new Error('synthetic step');
  const byRoundTrips = [5, 10, 37].map((roundTrips) => ({ roundTrips, count: 20, meanUs: interceptUs + slopeUs * roundTrips, stdDevUs: 40, p50Us: interceptUs + slopeUs * roundTrips }));
  return {
    ...base,
    stepId: `orm-pages@${pathId}`,
    workload: { kind: 'replay', trace: 't.json', target: 'built-in' },
    variant: {},
    metrics: {
      ...base.metrics,
      replay: { trace: 't.json', target: 'built-in', conversationsInTrace: 3, conversations: 60, turns: 1040, requestBytesRecorded: 1, requestBytesSent: 1, responseBytes: 1, paddedTurns: 0, paddedBytes: 0, byRoundTrips, listed: [] },
    },
  };
}

describe('replay round-trip fit', () => {
  test('the relay cost per round trip and per conversation are the slope and intercept differences', () => {
    const analysis = analyzeRun(syntheticRun([replayStep('direct', 'direct', 1000, 200), replayStep('relay-emulated', 'relay-emulated', 1500, 700)]));
    const fit = analysis.fits.find((f) => f.key === 'orm-pages');
    expect(fit, JSON.stringify(analysis.fits.map((f) => f.key))).toBeDefined();
    expect(fit?.direct.points.map((p) => p.roundTrips)).toEqual([5, 10, 37]);
    expect(fit?.slopeDeltaUs.value).toBeCloseTo(500, 6);
    expect(fit?.interceptDeltaUs.value).toBeCloseTo(500, 6);
    expect(fit?.direct.slopeUs).toBeCloseTo(200, 6);
  });

  test('a replay step whose conversations all have one round-trip count gives no fit (two distinct counts are needed)', () => {
    const one = (s: StepResult): StepResult => (s.status === 'completed' && s.metrics.replay !== undefined ? { ...s, metrics: { ...s.metrics, replay: { ...s.metrics.replay, byRoundTrips: s.metrics.replay.byRoundTrips.slice(0, 1) } } } : s);
    const analysis = analyzeRun(syntheticRun([one(replayStep('direct', 'direct', 1000, 200)), one(replayStep('relay-emulated', 'relay-emulated', 1500, 700))]));
    expect(analysis.fits.filter((f) => f.key === 'orm-pages')).toEqual([]);
  });
});
