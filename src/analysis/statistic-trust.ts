// Validity per statistic: from the generator's measured timing error (its "noise"), each reported
// percentile of a latency histogram is marked trusted or not. A 1 ms loop stall does not spoil the
// p50 of an 11 ms round trip; it does spoil the p99.9 of a 170 µs one. Pure; documented in the
// README ("Validity: which figures to trust", exit 7).
//
// The rule. A latency sample taken by the generator is the true latency plus the generator's
// timing error E at that moment (E >= 0: a timestamp read late, a dispatch made late). Let N(r) be
// the generator's timing error at rank r (its quantile), measured over the same window. A
// statistic at rank q (p50: q = 0.5, ..., max: q = 1) is trusted when
//
//     N(q*) <= max(TOLERANCE_FRACTION × value, RESOLUTION_US),   q* = 1 − (1 − q) / TAIL_SHARE
//
// i.e. at most one in TAIL_SHARE of the samples beyond the statistic's rank can carry an error
// above the tolerance. Then the measured value lies between the true value at rank q and the true
// value at rank q + (1 − q)/TAIL_SHARE, plus at most the tolerance. p50 → N(p95), p90 → N(p99),
// p99 → N(p99.9), p99.9 → N(p99.99), max → N(max); min like p50. A mean is off by exactly the
// mean error, so it is trusted when the mean of N is within its tolerance.
// RESOLUTION_US is the smallest timing error the sampler itself resolves: a timer-driven
// event-loop sampler on a VM wakes 50–120 µs late by itself (timer slack, a vCPU waking from
// idle), so errors below it are not evidence against a statistic.

import type { GeneratorNoise, LatencySummary, StepMetrics } from '../metrics/result.js';

/** A statistic may be off by this fraction of its value. */
export const TOLERANCE_FRACTION = 0.25;
/** Timing errors up to this many µs never untrust a statistic (the sampler's own resolution). */
export const RESOLUTION_US = 200;
/** At most 1 in this many samples beyond the statistic's rank may carry a larger error. */
export const TAIL_SHARE = 10;

/** Statistics of a latency histogram that can be marked. */
export type TrustedStat = 'min' | 'mean' | 'p50' | 'p90' | 'p99' | 'p99.9' | 'max';

/** Which rank of the noise judges each statistic (see the rule above). */
export const NOISE_RANK: Record<TrustedStat, keyof Omit<GeneratorNoise, 'samples'>> = {
  min: 'p95Us',
  mean: 'meanUs',
  p50: 'p95Us',
  p90: 'p99Us',
  p99: 'p999Us',
  'p99.9': 'p9999Us',
  max: 'maxUs',
};

/** The summary field of each statistic. */
const FIELD: Record<TrustedStat, keyof LatencySummary> = {
  min: 'minUs',
  mean: 'meanUs',
  p50: 'p50Us',
  p90: 'p90Us',
  p99: 'p99Us',
  'p99.9': 'p999Us',
  max: 'maxUs',
};

/** The statistics reports show and mark, in report order. */
export const MARKED_STATS: readonly TrustedStat[] = ['p50', 'p90', 'p99', 'p99.9', 'max'];

/** Histograms whose statistics are judged: results, not the generator's own timing. */
export const JUDGED_METRICS = ['roundTrip', 'transaction', 'connect', 'firstByte', 'responseTime', 'serviceTime', 'poolWait', 'close'] as const;

/** How much error a statistic of this value tolerates, µs. */
export function toleranceUs(valueUs: number): number {
  return Math.max(TOLERANCE_FRACTION * valueUs, RESOLUTION_US);
}

/** The judgement of one statistic. */
export interface StatisticJudgement {
  isTrusted: boolean;
  /** The generator's timing error at the judging rank, µs. */
  noiseUs: number;
  toleranceUs: number;
}

/** Judges one statistic of value `valueUs` against the generator's noise. */
export function judgeStatistic(noise: GeneratorNoise, stat: TrustedStat, valueUs: number): StatisticJudgement {
  const noiseUs = noise[NOISE_RANK[stat]];
  const tolerance = toleranceUs(valueUs);
  return { isTrusted: noiseUs <= tolerance, noiseUs, toleranceUs: tolerance };
}

/** `p99.9` and `p999` name the same statistic. */
export function normaliseStat(stat: string): TrustedStat | undefined {
  const s = stat === 'p999' ? 'p99.9' : stat;
  return s in FIELD ? (s as TrustedStat) : undefined;
}

/** One untrusted statistic of a step, with the numbers that condemned it. */
export interface UntrustedStatistic {
  /** `roundTrip.p99.9`. */
  key: string;
  valueUs: number;
  noiseUs: number;
  /** The noise rank used, e.g. `p99.99`. */
  noiseRank: string;
  toleranceUs: number;
}

const RANK_LABEL: Record<keyof Omit<GeneratorNoise, 'samples'>, string> = {
  meanUs: 'mean',
  p95Us: 'p95',
  p99Us: 'p99',
  p999Us: 'p99.9',
  p9999Us: 'p99.99',
  maxUs: 'max',
};

/** Every marked statistic of every judged, non-empty histogram of a step that is not trusted. */
export function untrustedStatistics(histograms: StepMetrics['histograms'], noise: GeneratorNoise): UntrustedStatistic[] {
  const out: UntrustedStatistic[] = [];
  for (const metric of JUDGED_METRICS) {
    const summary = histograms[metric]?.summary;
    if (summary === undefined || summary.count === 0) continue;
    for (const stat of ['mean', ...MARKED_STATS] as const) {
      const valueUs = summary[FIELD[stat]];
      const judgement = judgeStatistic(noise, stat, valueUs);
      if (judgement.isTrusted) continue;
      out.push({ key: `${metric}.${stat}`, valueUs, noiseUs: judgement.noiseUs, noiseRank: RANK_LABEL[NOISE_RANK[stat]], toleranceUs: judgement.toleranceUs });
    }
  }
  return out;
}

/** `roundTrip.p99.9 240 µs: generator timing error at p99.99 1800 µs > tolerance 200 µs`. */
export function describeUntrusted(u: UntrustedStatistic): string {
  return `${u.key} ${Math.round(u.valueUs)} µs: generator timing error at ${u.noiseRank} ${Math.round(u.noiseUs)} µs > tolerance ${Math.round(u.toleranceUs)} µs`;
}

/** True when the step's generator marked `metric.stat` untrusted (steps without health: trusted). */
export function isMarkedUntrusted(metrics: StepMetrics, metric: string, stat: string): boolean {
  const normal = normaliseStat(stat) ?? stat;
  return metrics.generator?.untrusted?.includes(`${metric}.${normal}`) === true;
}
