// Chart data of the HTML report, as plain arrays uPlot takes (x values, then one array per series).
// Pure: derived from the result and its analysis; no DOM, no I/O.

import type { RunAnalysis } from '../metrics/analysis-result.js';
import { mergeRecords } from '../metrics/histogram.js';
import type { HistogramRecord, RunResult, StepResult } from '../metrics/result.js';
import { intervalSummaries, percentileCurve } from './histograms.js';

/** One chart: title, axis labels, series labels and aligned data (`data[0]` is x). */
export interface ChartSpec {
  id: string;
  title: string;
  kind: 'nines' | 'fit' | 'time';
  xLabel: string;
  yLabel: string;
  /** Series labels, one per data column after x. */
  series: { label: string; path: string; isPoints?: boolean; isDashed?: boolean }[];
  data: (number | null)[][];
}

const MAX_NINES = 5;
type Measured = Extract<StepResult, { metrics: unknown }>;

function stepsOf(result: RunResult, key: string, pathId: string): Measured[] {
  return result.steps.filter((s): s is Measured => s.status !== 'failed' && s.pathId === pathId && s.stepId.startsWith(`${key}@`));
}

/** Percentile distribution (round trip, all repetitions merged) of both paths on a "nines" x axis. */
function ninesChart(result: RunResult, key: string, pathIds: readonly string[], index: number): ChartSpec | null {
  const curves = pathIds.map((pathId) => {
    const records: HistogramRecord[] = stepsOf(result, key, pathId).map((s) => s.metrics.histograms.roundTrip);
    return records.length === 0 ? [] : percentileCurve(mergeRecords(records), MAX_NINES);
  });
  const first = curves[0];
  if (first === undefined || first.length === 0 || curves.some((c) => c.length !== first.length)) return null;
  // x = log10(1 / (1 − p)) "nines"; the max is placed half a nine past the last point.
  const x = first.map((p) => (p.percentile >= 100 ? MAX_NINES + 0.5 : Math.log10(100 / (100 - p.percentile))));
  return {
    id: `nines-${index}`,
    title: `${key}: round-trip latency by percentile`,
    kind: 'nines',
    xLabel: 'percentile',
    yLabel: 'latency (ms)',
    series: pathIds.map((pathId) => ({ label: pathId, path: pathId })),
    data: [x, ...curves.map((c) => c.map((p) => p.valueUs / 1000))],
  };
}

/** Mean transaction latency against k with both fitted lines. */
function fitCharts(analysis: RunAnalysis): ChartSpec[] {
  return analysis.fits.map((fit, index) => {
    const ks = [...new Set([...fit.direct.points, ...fit.relay.points].map((p) => p.roundTrips))].sort((a, b) => a - b);
    const meanAt = (points: typeof fit.direct.points, k: number) => {
      const at = points.filter((p) => p.roundTrips === k);
      return at.length === 0 ? null : at.reduce((a, p) => a + p.latencyUs, 0) / at.length / 1000;
    };
    return {
      id: `fit-${index}`,
      title: `${fit.key}: transaction latency and relay overhead vs round trips per transaction`,
      kind: 'fit',
      xLabel: 'round trips per transaction (k)',
      yLabel: 'mean transaction latency (ms)',
      series: [
        { label: `${fit.direct.pathId} measured`, path: fit.direct.pathId, isPoints: true },
        { label: `${fit.relay.pathId} measured`, path: fit.relay.pathId, isPoints: true },
        { label: `${fit.direct.pathId} fit`, path: fit.direct.pathId, isDashed: true },
        { label: `${fit.relay.pathId} fit`, path: fit.relay.pathId, isDashed: true },
        { label: 'overhead (relay − direct) measured', path: 'overhead', isPoints: true },
        { label: 'overhead fit', path: 'overhead', isDashed: true },
      ],
      data: [
        ks,
        ks.map((k) => meanAt(fit.direct.points, k)),
        ks.map((k) => meanAt(fit.relay.points, k)),
        ks.map((k) => (fit.direct.interceptUs + k * fit.direct.slopeUs) / 1000),
        ks.map((k) => (fit.relay.interceptUs + k * fit.relay.slopeUs) / 1000),
        ks.map((k) => {
          const d = meanAt(fit.direct.points, k);
          const r = meanAt(fit.relay.points, k);
          return d === null || r === null ? null : r - d;
        }),
        ks.map((k) => (fit.interceptDeltaUs.value + k * fit.slopeDeltaUs.value) / 1000),
      ],
    };
  });
}

/** p50 and p99 round trip per interval of the first repetition of each path. */
function timeChart(result: RunResult, key: string, pathIds: readonly string[], index: number): ChartSpec | null {
  const perPath = pathIds.map((pathId) => {
    const step = stepsOf(result, key, pathId)[0];
    return step === undefined ? [] : intervalSummaries(step.metrics);
  });
  const xs = [...new Set(perPath.flatMap((intervals) => intervals.map((i) => (i.startMs + i.durationMs) / 1000)))].sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const column = (pathIndex: number, pick: 'p50Us' | 'p99Us') =>
    xs.map((x) => {
      const hit = perPath[pathIndex]?.find((i) => (i.startMs + i.durationMs) / 1000 === x);
      return hit === undefined || hit.summary.count === 0 ? null : hit.summary[pick] / 1000;
    });
  return {
    id: `time-${index}`,
    title: `${key}: round-trip latency over time (end of each interval)`,
    kind: 'time',
    xLabel: 'seconds into the measured window',
    yLabel: 'latency (ms)',
    series: pathIds.flatMap((pathId) => [
      { label: `${pathId} p50`, path: pathId },
      { label: `${pathId} p99`, path: pathId, isDashed: true },
    ]),
    data: [xs, ...pathIds.flatMap((_, i) => [column(i, 'p50Us'), column(i, 'p99Us')])],
  };
}

/** Every chart of the report, in page order. */
export function buildCharts(result: RunResult, analysis: RunAnalysis): ChartSpec[] {
  const charts: ChartSpec[] = [];
  analysis.comparisons.forEach((c, index) => {
    const pathIds = [c.directPathId, c.relayPathId];
    const nines = ninesChart(result, c.key, pathIds, index);
    if (nines !== null) charts.push(nines);
  });
  charts.push(...fitCharts(analysis));
  analysis.comparisons.forEach((c, index) => {
    const time = timeChart(result, c.key, [c.directPathId, c.relayPathId], index);
    if (time !== null) charts.push(time);
  });
  return charts;
}
