// Results derived from the committed real ci-smoke baseline: a quiet baseline (repetitions 2 % apart)
// and the same run with a given factor on the relay path's latencies (an injected relay delay).

import { readFileSync } from 'node:fs';
import { distributionOfRecord } from '../../src/analysis/distribution.js';
import { createLatencyHistogram, toRecord } from '../../src/metrics/histogram.js';
import type { HistogramRecord, RunResult } from '../../src/metrics/result.js';

export const BASELINE_FILE = new URL('../../ci/baselines/ci-smoke.json', import.meta.url);

export function loadBaseline(): RunResult {
  return JSON.parse(readFileSync(BASELINE_FILE, 'utf8')) as RunResult;
}

/** The histogram with every recorded value × `factor` (the encoding and the summary both). */
function scaled(record: HistogramRecord, factor: number): HistogramRecord {
  if (record.summary.count === 0) return record;
  const d = distributionOfRecord(record);
  const histogram = createLatencyHistogram();
  for (let i = 0; i < d.values.length; i++) histogram.recordValueWithCount(Math.round(d.values[i]! * factor), d.counts[i]!);
  const out = toRecord(histogram);
  histogram.destroy();
  return out;
}

/** Every step's latencies × `factor(step)` and its rates ÷ it; everything else unchanged. */
export function scaleSteps(result: RunResult, factor: (stepId: string, repetition: number) => number): RunResult {
  const copy = structuredClone(result);
  copy.steps = copy.steps.map((step) => {
    if (step.status === 'failed') return step;
    const f = factor(step.stepId, step.repetition ?? 0);
    const histograms = Object.fromEntries(Object.entries(step.metrics.histograms).map(([k, v]) => [k, v === undefined ? v : scaled(v, f)]));
    return {
      ...step,
      metrics: {
        ...step.metrics,
        histograms: histograms as typeof step.metrics.histograms,
        counters: { ...step.metrics.counters, transactions: Math.round(step.metrics.counters.transactions / f), roundTrips: Math.round(step.metrics.counters.roundTrips / f) },
        transactionsPerSec: step.metrics.transactionsPerSec / f,
        roundTripsPerSec: step.metrics.roundTripsPerSec / f,
      },
    };
  });
  return copy;
}

/** The baseline with repetition 1 made a copy of repetition 0 at +2 %: a quiet machine's noise. */
export function quietBaseline(): RunResult {
  const real = loadBaseline();
  const rep0 = real.steps.filter((s) => (s.repetition ?? 0) === 0);
  const rep1 = rep0.map((s) => ({ ...structuredClone(s), repetition: 1 }));
  const both = { ...real, steps: [...rep0, ...rep1] };
  return scaleSteps(both, (_id, repetition) => (repetition === 1 ? 1.02 : 1));
}

/** The quiet baseline with the relay path 30 % slower (latency × 1.3, throughput ÷ 1.3). */
export function withSlowerRelay(baseline: RunResult, factor = 1.3): RunResult {
  return scaleSteps(baseline, (stepId) => (stepId.endsWith('@relay-emulated') ? factor : 1));
}
