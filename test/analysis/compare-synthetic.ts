// Results derived from the committed real ci-smoke baseline: a quiet baseline (repetitions 2 % apart)
// and the same run with a given factor on the relay path's latencies (an injected relay delay).

import { readFileSync } from 'node:fs';
import type { HistogramRecord, LatencySummary, RunResult } from '../../src/metrics/result.js';

export const BASELINE_FILE = new URL('../../ci/baselines/ci-smoke.json', import.meta.url);

export function loadBaseline(): RunResult {
  return JSON.parse(readFileSync(BASELINE_FILE, 'utf8')) as RunResult;
}

const KEYS: (keyof LatencySummary)[] = ['minUs', 'meanUs', 'p50Us', 'p90Us', 'p99Us', 'p999Us', 'maxUs'];

function scaled(record: HistogramRecord, factor: number): HistogramRecord {
  const summary = { ...record.summary };
  for (const key of KEYS) summary[key] = Math.round(summary[key] * factor);
  return { ...record, summary };
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
