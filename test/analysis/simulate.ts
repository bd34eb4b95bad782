// Seeded simulation of repeated runs from recorded histograms, for proving interval coverage.
// Test-only: draws latencies from a recorded distribution (a bucket by its count, then uniformly
// inside the bucket), applies per-repetition drift shared by both paths and a per-step effect, and
// buckets the samples exactly as the recorder's histograms do.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { distributionOfRecord, distributionOfSamples, hdrBucket, type Distribution } from '../../src/analysis/distribution.js';
import type { Random } from '../../src/random.js';
import type { HistogramRecord, RunResult } from '../../src/metrics/result.js';

/** A recorded histogram of a fixture result: step `stepIndex`, metric `metric`. */
export function recordedHistogram(fixture: string, stepIndex: number, metric: 'roundTrip' | 'transaction'): HistogramRecord {
  const path = fileURLToPath(new URL(`../fixtures/results/${fixture}`, import.meta.url));
  const result = JSON.parse(readFileSync(path, 'utf8')) as RunResult;
  const step = result.steps[stepIndex];
  if (step === undefined || step.status === 'failed') throw new Error(`${fixture}: step ${stepIndex} has no metrics`);
  return step.metrics.histograms[metric];
}

/** Draws continuous latencies (µs) from a recorded distribution, in O(1) per draw. */
export function samplerOf(record: HistogramRecord): (random: Random) => number {
  const d: Distribution = distributionOfRecord(record);
  // One entry per recorded sample: a uniform index picks a bucket with its recorded frequency.
  const lows = new Float64Array(d.total);
  const widths = new Float64Array(d.total);
  let at = 0;
  for (let i = 0; i < d.values.length; i++) {
    const { low, high } = hdrBucket(d.values[i]!);
    lows.fill(low, at, at + d.counts[i]!);
    widths.fill(high - low + 1, at, at + d.counts[i]!);
    at += d.counts[i]!;
  }
  return (random) => {
    const i = Math.floor(random() * at);
    return lows[i]! + random() * widths[i]! - 0.5;
  };
}

/** Standard normal draw (Box–Muller). */
export function gaussian(random: Random): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** How one simulated experiment varies. */
export interface ExperimentShape {
  repetitions: number;
  samplesPerStep: number;
  /** Relative sd of the machine drift of one repetition (both paths). */
  driftSd: number;
  /** Relative sd of one step's own offset (each path, each repetition). */
  stepSd: number;
}

/**
 * One experiment: per repetition, a direct and a relay step drawn from `draw`, the relay's values
 * shifted by `shiftUs`. Returns both paths' per-repetition distributions, paired by index.
 */
export function simulateExperiment(random: Random, draw: (random: Random) => number, shape: ExperimentShape, shiftUs: number): { direct: Distribution[]; relay: Distribution[] } {
  const direct: Distribution[] = [];
  const relay: Distribution[] = [];
  for (let r = 0; r < shape.repetitions; r++) {
    const drift = Math.exp(shape.driftSd * gaussian(random));
    for (const [into, shift] of [[direct, 0], [relay, shiftUs]] as const) {
      const step = Math.exp(shape.stepSd * gaussian(random));
      const samples = new Float64Array(shape.samplesPerStep);
      for (let i = 0; i < shape.samplesPerStep; i++) samples[i] = draw(random) * drift * step + shift;
      into.push(distributionOfSamples(samples));
    }
  }
  return { direct, relay };
}
