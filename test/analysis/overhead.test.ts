// result.overhead (what `jq .overhead` shows) is the analysis' comparison, one definition:
// percentiles of histograms merged over every repetition, for every relay path.

import { describe, expect, test } from 'vitest';
import { analyzeRun } from '../../src/analysis/analyze-run.js';
import { computeOverhead } from '../../src/analysis/overhead.js';
import type { MeasuredStep } from '../../src/analysis/pairing.js';
import { mergeRecords } from '../../src/metrics/histogram.js';
import { createRandom, normalSample, syntheticRun, syntheticStep } from '../fixtures/results/synthetic.js';

describe('result.overhead: one definition with the analysis', () => {
  test('every repetition (merged histograms) and every relay path, equal to the analysis comparisons', () => {
    const random = createRandom(31);
    const steps = [0, 1, 2].flatMap((repetition) => [
      syntheticStep({ pathId: 'direct', pathKind: 'direct', repetition, roundTrips: 1, transactions: 200, drawRoundTripUs: () => normalSample(random, 300 + 100 * repetition, 30) }),
      syntheticStep({ pathId: 'relay-a', pathKind: 'relay-emulated', repetition, roundTrips: 1, transactions: 200, drawRoundTripUs: () => normalSample(random, 900 + 100 * repetition, 60) }),
      syntheticStep({ pathId: 'relay-b', pathKind: 'relay-emulated', repetition, roundTrips: 1, transactions: 200, drawRoundTripUs: () => normalSample(random, 1500 + 100 * repetition, 60) }),
    ]);

    const overhead = computeOverhead(steps);
    const analysis = analyzeRun(syntheticRun(steps));

    expect(Object.keys(overhead)).toEqual(['tcp-request-response[roundTripsPerTransaction=1]@relay-a', 'tcp-request-response[roundTripsPerTransaction=1]@relay-b']);
    for (const comparison of analysis.comparisons) {
      const rows = overhead[`${comparison.key}@${comparison.relayPathId}`]!;
      const p50 = comparison.percentiles.find((p) => p.metric === 'roundTrip' && p.percentile === 'p50')!;
      expect(rows.find((r) => r.metric === 'roundTrip.p50')).toMatchObject({ direct: p50.directUs, relay: p50.relayUs, delta: p50.deltaUs.value });
    }
    // Merged over all three repetitions: the direct p50 is near the middle repetition's 400 µs, not repetition 0's 300 µs.
    const directP50 = overhead['tcp-request-response[roundTripsPerTransaction=1]@relay-a']!.find((r) => r.metric === 'roundTrip.p50')!.direct;
    const merged = mergeRecords(steps.filter((s): s is MeasuredStep => s.pathId === 'direct' && s.status !== 'failed').map((s) => s.metrics.histograms.roundTrip)).summary.p50Us;
    expect(directP50).toBe(merged);
    expect(directP50).toBeGreaterThan(350);
  });
});
