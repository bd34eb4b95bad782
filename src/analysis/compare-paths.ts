// Relay against direct for one workload variant: per-percentile delta and ratio of the histograms
// merged over the paired repetitions, throughput ratios (transactions, stream bytes) pooled the same
// way, connection-setup overhead. Intervals: delete-one-repetition jackknife (jackknife.ts). Pure.

import type { LatencySummary } from '../metrics/result.js';
import { distributionOfRecord, type Distribution } from './distribution.js';
import { jackknifeEstimate, pooledRatio } from './jackknife.js';
import { sharedRepetitions, type MeasuredStep, type PathSeries } from './pairing.js';
import { pooledPercentiles } from './pooled.js';
import type { ComparedMetric, Estimate, PathComparison, PercentileComparison, PercentileLabel } from '../metrics/analysis-result.js';

/** Default confidence level of every interval: 0.95. */
export const DEFAULT_CONFIDENCE = 0.95;

/** Percentiles compared, in report order, with the summary field each reads and its rank (0..100). */
export const PERCENTILES: readonly { label: PercentileLabel; key: keyof LatencySummary; rank: number }[] = [
  { label: 'p50', key: 'p50Us', rank: 50 },
  { label: 'p90', key: 'p90Us', rank: 90 },
  { label: 'p99', key: 'p99Us', rank: 99 },
  { label: 'p99.9', key: 'p999Us', rank: 99.9 },
  { label: 'max', key: 'maxUs', rank: 100 },
];

const METRICS: readonly ComparedMetric[] = ['roundTrip', 'transaction', 'responseTime', 'serviceTime', 'poolWait', 'connect', 'firstByte'];

/** Options of a comparison. */
export interface PathCompareOptions {
  /** Two-sided confidence level in (0, 1), e.g. 0.95. */
  confidence: number;
}

/**
 * Relay against direct for one metric, given each path's per-repetition distributions (paired by
 * index): percentiles of the merged distributions, their delta and ratio with jackknife intervals.
 * The max is an extreme of the pool, not an estimate of a population value: it gets no interval.
 */
export function comparePercentiles(
  metric: ComparedMetric,
  direct: readonly Distribution[],
  relay: readonly Distribution[],
  confidence: number,
): PercentileComparison[] {
  const ranks = PERCENTILES.map((p) => p.rank);
  const d = pooledPercentiles(direct, ranks);
  const r = pooledPercentiles(relay, ranks);
  return PERCENTILES.map(({ label }, j): PercentileComparison => {
    const directUs = d.full[j]!;
    const relayUs = r.full[j]!;
    const deltaOut = d.smoothLeaveOut.map((row, i) => r.smoothLeaveOut[i]![j]! - row[j]!);
    const ratioOut = d.smoothLeaveOut.map((row, i) => r.smoothLeaveOut[i]![j]! / row[j]!);
    let deltaUs = jackknifeEstimate(relayUs - directUs, deltaOut, confidence);
    let ratio = directUs === 0 ? null : nonNegative(jackknifeEstimate(relayUs / directUs, ratioOut, confidence));
    if (label === 'max') {
      deltaUs = noInterval(deltaUs);
      ratio = ratio === null ? null : noInterval(ratio);
    }
    return { metric, percentile: label, directUs, relayUs, deltaUs, ratio };
  });
}

/** A ratio of latencies is never negative: a wide interval (small n) is cut at 0. */
function nonNegative(e: Estimate): Estimate {
  return e.interval === null ? e : { ...e, interval: { low: Math.max(0, e.interval.low), high: e.interval.high } };
}

/** The max is an extreme of the pool, not an estimate of a population value: no interval. */
function noInterval(e: Estimate): Estimate {
  return { value: e.value, interval: null, n: e.n, note: 'max: an extreme, no interval' };
}

/** Compares one relay series with its direct series over the repetitions both have. */
export function comparePaths(direct: PathSeries, relay: PathSeries, options: PathCompareOptions): PathComparison {
  const { confidence } = options;
  const repetitions = sharedRepetitions(direct, relay);
  const pairs = repetitions.map((r) => ({ direct: direct.byRepetition.get(r)!, relay: relay.byRepetition.get(r)! }));
  const percentiles: PercentileComparison[] = [];
  for (const metric of METRICS) {
    const records = pairs.map((p) => ({ direct: p.direct.metrics.histograms[metric], relay: p.relay.metrics.histograms[metric] }));
    // A metric is compared only when every pair recorded something on both paths.
    const isComparable = records.length > 0 && records.every((r) => (r.direct?.summary.count ?? 0) > 0 && (r.relay?.summary.count ?? 0) > 0);
    if (!isComparable) continue;
    percentiles.push(...comparePercentiles(metric, records.map((r) => distributionOfRecord(r.direct!)), records.map((r) => distributionOfRecord(r.relay!)), confidence));
  }
  const rate = (s: MeasuredStep) => ({ numerator: s.metrics.counters.transactions, denominator: s.metrics.durationMs / 1000 });
  const throughput = pooledThroughput(pairs.map((p) => rate(p.direct)), pairs.map((p) => rate(p.relay)), confidence);
  const streams: PathComparison['streams'] = [];
  for (const direction of ['upload', 'download'] as const) {
    const bytes = (s: MeasuredStep) => {
      const perSec = s.metrics.throughput?.[direction]?.overallBytesPerSec;
      return perSec === undefined ? undefined : { numerator: (perSec * s.metrics.durationMs) / 1000, denominator: s.metrics.durationMs / 1000 };
    };
    const d = pairs.map((p) => bytes(p.direct));
    const x = pairs.map((p) => bytes(p.relay));
    if (pairs.length === 0 || d.some((v) => v === undefined) || x.some((v) => v === undefined)) continue;
    const pooled = pooledThroughput(d as Part[], x as Part[], confidence);
    streams.push({ direction, directBytesPerSec: pooled.directPerSec, relayBytesPerSec: pooled.relayPerSec, ratio: pooled.ratio });
  }
  const setupMetric = percentiles.some((p) => p.metric === 'firstByte') ? 'firstByte' : 'connect';
  const setup = percentiles.find((p) => p.metric === setupMetric && p.percentile === 'p50');
  const timed = (side: 'direct' | 'relay'): number => pairs.reduce((sum, p) => sum + (p[side].metrics.histograms[setupMetric]?.summary.count ?? 0), 0);
  return {
    key: direct.key,
    directPathId: direct.pathId,
    relayPathId: relay.pathId,
    repetitions,
    percentiles,
    throughput,
    streams,
    connectionSetup: setup === undefined ? null : { metric: setupMetric, deltaUs: setup.deltaUs, connections: { direct: timed('direct'), relay: timed('relay') } },
  };
}

type Part = { numerator: number; denominator: number };

/** Pooled rates (Σ counts ÷ Σ seconds) of both paths and relay ÷ direct with a jackknife interval. */
function pooledThroughput(direct: readonly Part[], relay: readonly Part[], confidence: number): PathComparison['throughput'] {
  if (direct.length === 0) return { directPerSec: 0, relayPerSec: 0, ratio: null };
  const d = pooledRatio(direct);
  const r = pooledRatio(relay);
  const directPerSec = Number.isFinite(d.full) ? d.full : 0;
  const relayPerSec = Number.isFinite(r.full) ? r.full : 0;
  if (directPerSec === 0) return { directPerSec, relayPerSec, ratio: null };
  const ratioOut = d.leaveOut.map((x, i) => r.leaveOut[i]! / x);
  return { directPerSec, relayPerSec, ratio: jackknifeEstimate(relayPerSec / directPerSec, ratioOut, confidence) };
}
