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
//
// A second, sufficient rule (the rank-shift bound) rescues a statistic the first would condemn
// when the noise's tail is long but rare. Timing errors are independent of the latencies and >= 0,
// so for any rank b: P(M <= T(q) + N(b)) >= q·b, hence M(q·b) <= T(q) + N(b), and since M(q) >= T(q)
//
//     0 <= M(q) − T(q) <= min over b of [ M(q) − M(q·b) + N(b) ]
//
// computed from the measured histogram and the noise ranks recorded (p50 … p99.99). The statistic
// is also trusted when that bound is within its tolerance. A closed-loop generator on a shared
// 2-core machine is woken late now and then (N(p95) of ~1–2 ms on loopback steps) while most of its
// samples are timed within tens of µs: the first rule condemned every sub-ms p50 there, the bound
// shows how little such stalls can move it.
// RESOLUTION_US is the smallest timing error the sampler itself resolves: a timer-driven
// event-loop sampler on a VM wakes 50–120 µs late by itself (timer slack, a vCPU waking from
// idle), so errors below it are not evidence against a statistic.

import { decodeRecord, type Histogram } from '../metrics/histogram.js';
import type { GeneratorNoise, LatencySummary, StepMetrics } from '../metrics/result.js';

/** A statistic may be off by this fraction of its value. */
export const TOLERANCE_FRACTION = 0.25;
/** Timing errors up to this many µs never untrust a statistic (the sampler's own resolution). */
export const RESOLUTION_US = 200;
/** At most 1 in this many samples beyond the statistic's rank may carry a larger error. */
export const TAIL_SHARE = 10;

/** Statistics of a latency histogram that can be marked. */
export type TrustedStat = 'min' | 'mean' | 'p50' | 'p90' | 'p99' | 'p99.9' | 'max';

type NoiseRank = 'meanUs' | 'p95Us' | 'p99Us' | 'p999Us' | 'p9999Us' | 'maxUs';

/** Which rank of the noise judges each statistic (see the rule above). */
export const NOISE_RANK: Record<TrustedStat, NoiseRank> = {
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
  /** The rank-shift bound on the statistic's error, µs, when it was computed (the first rule failed). */
  shiftBoundUs?: number;
}

/** The rank of each percentile statistic (min and mean have none: judged by the first rule only). */
const STAT_RANK: Partial<Record<TrustedStat, number>> = { p50: 0.5, p90: 0.9, p99: 0.99, 'p99.9': 0.999 };

/** Noise ranks the shift bound may use, with their rank. */
const SHIFT_RANKS: readonly [keyof GeneratorNoise, number][] = [
  ['p50Us', 0.5],
  ['p75Us', 0.75],
  ['p90Us', 0.9],
  ['p95Us', 0.95],
  ['p99Us', 0.99],
  ['p999Us', 0.999],
  ['p9999Us', 0.9999],
];

/**
 * The rank-shift bound on the error of the measured value at rank `q`: min over the recorded noise
 * ranks b of M(q) − M(q·b) + N(b), µs (see the rule above). `measuredAt(rank)` reads the measured
 * histogram (rank in 0..1).
 */
export function shiftBoundUs(measuredAt: (rank: number) => number, noise: GeneratorNoise, q: number): number {
  const atQ = measuredAt(q);
  let best = Number.POSITIVE_INFINITY;
  for (const [key, b] of SHIFT_RANKS) {
    const n = noise[key];
    if (typeof n !== 'number') continue;
    best = Math.min(best, atQ - measuredAt(q * b) + n);
  }
  return best;
}

/**
 * Judges one statistic of value `valueUs` against the generator's noise; with `measuredAt` (the
 * statistic's histogram) a statistic the first rule condemns may still be trusted by the rank-shift bound.
 */
export function judgeStatistic(noise: GeneratorNoise, stat: TrustedStat, valueUs: number, measuredAt?: (rank: number) => number): StatisticJudgement {
  const noiseUs = noise[NOISE_RANK[stat]];
  const tolerance = toleranceUs(valueUs);
  if (noiseUs <= tolerance) return { isTrusted: true, noiseUs, toleranceUs: tolerance };
  const q = STAT_RANK[stat];
  if (measuredAt === undefined || q === undefined) return { isTrusted: false, noiseUs, toleranceUs: tolerance };
  const bound = shiftBoundUs(measuredAt, noise, q);
  return { isTrusted: bound <= tolerance, noiseUs, toleranceUs: tolerance, shiftBoundUs: bound };
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
  /** The rank-shift bound, µs, when computed (it too was above the tolerance). */
  shiftBoundUs?: number;
}

const RANK_LABEL: Record<NoiseRank, string> = {
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
    const record = histograms[metric];
    const summary = record?.summary;
    if (record === undefined || summary === undefined || summary.count === 0) continue;
    let decoded: Histogram | undefined | null = null; // null: not tried yet; undefined: no encoding
    const measuredAt = (rank: number): number => {
      if (decoded === null) {
        try {
          decoded = decodeRecord(record);
        } catch {
          decoded = undefined; // a synthetic record without an encoding: the first rule only
        }
      }
      return decoded === undefined ? Number.NaN : decoded.getValueAtPercentile(rank * 100);
    };
    for (const stat of ['mean', ...MARKED_STATS] as const) {
      const valueUs = summary[FIELD[stat]];
      const judgement = judgeStatistic(noise, stat, valueUs, measuredAt);
      if (judgement.isTrusted) continue;
      out.push({
        key: `${metric}.${stat}`,
        valueUs,
        noiseUs: judgement.noiseUs,
        noiseRank: RANK_LABEL[NOISE_RANK[stat]],
        toleranceUs: judgement.toleranceUs,
        ...(judgement.shiftBoundUs === undefined || !Number.isFinite(judgement.shiftBoundUs) ? {} : { shiftBoundUs: judgement.shiftBoundUs }),
      });
    }
    if (decoded !== null && decoded !== undefined) (decoded as Histogram).destroy();
  }
  return out;
}

/** `roundTrip.p99.9 240 µs: generator timing error at p99.99 1800 µs > tolerance 200 µs`. */
export function describeUntrusted(u: UntrustedStatistic): string {
  const bound = u.shiftBoundUs === undefined ? '' : ` (rank-shift bound ${Math.round(u.shiftBoundUs)} µs)`;
  return `${u.key} ${Math.round(u.valueUs)} µs: generator timing error at ${u.noiseRank} ${Math.round(u.noiseUs)} µs > tolerance ${Math.round(u.toleranceUs)} µs${bound}`;
}

/** True when the step's generator marked `metric.stat` untrusted (steps without health: trusted). */
export function isMarkedUntrusted(metrics: StepMetrics, metric: string, stat: string): boolean {
  const normal = normaliseStat(stat) ?? stat;
  return metrics.generator?.untrusted?.includes(`${metric}.${normal}`) === true;
}
