// Per-round-trip fit over a round-trip sweep: transaction latency (mean or p50) = a + b·k per path,
// weighted least squares, and the relay's slope and intercept differences with intervals. Pure.

import { variantKey, type PathSeries } from './pairing.js';
import { tQuantile } from './normal.js';
import type { Estimate, FitComparison, RoundTripFit } from '../metrics/analysis-result.js';

/**
 * Which per-step figure the fit uses: `mean` (default; means add up exactly, so a + b·k holds for
 * them) or `p50` (robust against stalls on a busy machine; SE taken as 1.2533·stdDev/√count).
 */
export type FitStatistic = 'mean' | 'p50';

/** One-line description of the method, for the result and the reports. */
export function describeFit(confidence: number, statistic: FitStatistic = 'mean'): string {
  const se = statistic === 'mean' ? 'max(stdDev, √k·round-trip stdDev)/√count' : '1.2533·max(stdDev, √k·round-trip stdDev)/√count';
  return (
    `round-trip fit: weighted least squares of ${statistic === 'mean' ? 'mean' : 'median (p50)'} transaction latency = a + b·k per path over steps that differ only ` +
    `in roundTripsPerTransaction (one point per step and repetition, weight 1/SE² with SE = ${se}, variances ` +
    `scaled up by χ²/df when the points scatter more than that); differences with ${Math.round(confidence * 100)}% t intervals`
  );
}

/**
 * The k of a step: `variant.roundTripsPerTransaction`, else `workload.roundTripsPerTransaction`.
 * Replay steps carry their own points instead: conversation latency per round-trip count.
 */
function roundTripsOf(step: { variant?: Record<string, unknown>; workload?: Record<string, unknown> }): number | undefined {
  const k = step.variant?.['roundTripsPerTransaction'] ?? step.workload?.['roundTripsPerTransaction'];
  return typeof k === 'number' && Number.isFinite(k) && k > 0 ? k : undefined;
}

/** The sweep a step belongs to: its workload id plus every matrix value except roundTripsPerTransaction. */
function sweepKey(stepId: string, variant: Record<string, unknown> | undefined): string {
  const base = variantKey(stepId).split('[')[0] ?? stepId;
  const rest = Object.entries(variant ?? {})
    .filter(([name]) => name !== 'roundTripsPerTransaction')
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([name, value]) => `${name}=${String(value)}`);
  return rest.length === 0 ? base : `${base}[${rest.join(',')}]`;
}

/** Weighted least squares of y = a + b·x; null with fewer than two distinct x. */
export function fitLine(pathId: string, points: RoundTripFit['points']): (RoundTripFit & { df: number }) | null {
  if (new Set(points.map((p) => p.roundTrips)).size < 2) return null;
  let s = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const p of points) {
    // 1 µs floor: a step with a single transaction has no spread, and its weight must stay finite.
    const w = 1 / Math.max(p.standardErrorUs, 1) ** 2;
    s += w; sx += w * p.roundTrips; sy += w * p.latencyUs; sxx += w * p.roundTrips ** 2; sxy += w * p.roundTrips * p.latencyUs;
  }
  const det = s * sxx - sx * sx;
  const slope = (s * sxy - sx * sy) / det;
  const intercept = (sxx * sy - sx * sxy) / det;
  const df = points.length - 2;
  let chi2 = 0;
  for (const p of points) chi2 += (p.latencyUs - intercept - slope * p.roundTrips) ** 2 / Math.max(p.standardErrorUs, 1) ** 2;
  const scale = df > 0 ? Math.max(1, chi2 / df) : 1;
  return {
    pathId,
    points,
    interceptUs: intercept,
    slopeUs: slope,
    interceptSeUs: Math.sqrt((scale * sxx) / det),
    slopeSeUs: Math.sqrt((scale * s) / det),
    covarianceUs2: (-scale * sx) / det,
    df,
  };
}

function difference(relay: number, direct: number, seRelay: number, seDirect: number, df: number, confidence: number): Estimate {
  const value = relay - direct;
  const se = Math.hypot(seRelay, seDirect);
  const half = tQuantile(1 - (1 - confidence) / 2, df) * se;
  const note = df <= 0 ? 'two points per path: interval from within-step noise only' : undefined;
  return { value, interval: { low: value - half, high: value + half }, n: df + 4, ...(note === undefined ? {} : { note }) };
}

/** Points per sweep key and path; within a key, direct paths come first (the first is the baseline). */
function sweepPoints(series: readonly PathSeries[], statistic: FitStatistic): Map<string, Map<string, RoundTripFit['points']>> {
  const out = new Map<string, Map<string, RoundTripFit['points']>>();
  const ordered = [...series.filter((s) => s.isDirect), ...series.filter((s) => !s.isDirect)];
  for (const s of ordered) {
    for (const step of s.byRepetition.values()) {
      const h = step.metrics.histograms.transaction.summary;
      const rt = step.metrics.histograms.roundTrip.summary;
      // The median's standard error is √(π/2) ≈ 1.2533 times the mean's (normal approximation).
      const factor = statistic === 'mean' ? 1 : 1.2533;
      // A replay step is a sweep of its own: its conversations, grouped by round trips, are the points.
      const replayPoints = (step.metrics.replay?.byRoundTrips ?? []).filter((p) => p.roundTrips > 0 && p.count > 0);
      const k = roundTripsOf(step);
      if (replayPoints.length === 0 && (k === undefined || h.count === 0)) continue;
      const key = sweepKey(step.stepId, step.variant);
      const byPath = out.get(key) ?? new Map<string, RoundTripFit['points']>();
      const points = byPath.get(s.pathId) ?? [];
      // A step with one or two long transactions shows no spread of its own; √k round-trip spreads
      // is the floor, so such a point cannot pin the line with a near-infinite weight.
      const point = (roundTrips: number, summary: { meanUs: number; p50Us: number; stdDevUs: number }, count: number) => ({
        roundTrips,
        latencyUs: statistic === 'mean' ? summary.meanUs : summary.p50Us,
        standardErrorUs: (factor * Math.max(summary.stdDevUs, Math.sqrt(roundTrips) * rt.stdDevUs)) / Math.sqrt(count),
      });
      if (replayPoints.length > 0) points.push(...replayPoints.map((p) => point(p.roundTrips, p, p.count)));
      else if (k !== undefined) points.push(point(k, h, h.count));
      byPath.set(s.pathId, points);
      out.set(key, byPath);
    }
  }
  return out;
}

/**
 * Fits every sweep on each path and compares each path with the baseline of its sweep: the first
 * direct path, else the first path (so two direct paths give an A vs A comparison).
 */
export function fitRoundTrips(
  series: readonly PathSeries[],
  confidence: number,
  rttMsOf: (pathId: string) => number = () => 0,
  statistic: FitStatistic = 'mean',
): FitComparison[] {
  const out: FitComparison[] = [];
  for (const [key, paths] of sweepPoints(series, statistic)) {
    const [[baselineId, baselinePoints] = [], ...others] = [...paths];
    if (baselineId === undefined || baselinePoints === undefined) continue;
    const d = fitLine(baselineId, baselinePoints);
    if (d === null) continue;
    for (const [otherId, otherPoints] of others) {
      const r = fitLine(otherId, otherPoints);
      if (r === null) continue;
      const df = d.df + r.df;
      const { df: _dd, ...directFit } = d;
      const { df: _rd, ...relayFit } = r;
      const slopeDeltaUs = difference(r.slopeUs, d.slopeUs, r.slopeSeUs, d.slopeSeUs, df, confidence);
      const networkRttDeltaMs = rttMsOf(otherId) - rttMsOf(baselineId);
      const shift = (x: number) => x - networkRttDeltaMs * 1000;
      const interval = slopeDeltaUs.interval === null ? null : { low: shift(slopeDeltaUs.interval.low), high: shift(slopeDeltaUs.interval.high) };
      out.push({
        key,
        direct: directFit,
        relay: relayFit,
        slopeDeltaUs,
        interceptDeltaUs: difference(r.interceptUs, d.interceptUs, r.interceptSeUs, d.interceptSeUs, df, confidence),
        networkRttDeltaMs,
        machineryUs: { ...slopeDeltaUs, value: shift(slopeDeltaUs.value), interval },
      });
    }
  }
  return out;
}
