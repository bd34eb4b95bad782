// Decoding the result's encoded histograms for the renderers that need more than the summary
// (percentile curves, interval percentiles, .hlog). Pure data handling, no I/O.

import { decodeRecord, summarize } from '../metrics/histogram.js';
import hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { HistogramRecord, LatencySummary, StepMetrics } from '../metrics/result.js';

/** One interval's round-trip summary, with its position in ms from the measured window's start. */
export interface IntervalSummary {
  startMs: number;
  durationMs: number;
  summary: LatencySummary;
}

/** Decodes an encoded histogram string (64-bit counters, JS implementation). Caller destroys it. */
export function decodeEncoded(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 64, false);
}

/** Summaries of a step's intervals; one whole-window interval when the step has none. */
export function intervalSummaries(metrics: StepMetrics): IntervalSummary[] {
  if (metrics.intervals === undefined || metrics.intervals.length === 0) {
    return [{ startMs: 0, durationMs: metrics.durationMs, summary: metrics.histograms.roundTrip.summary }];
  }
  return metrics.intervals.map((interval) => {
    const histogram = decodeEncoded(interval.roundTrip);
    const summary = summarize(histogram);
    histogram.destroy();
    return { startMs: interval.startMs, durationMs: interval.durationMs, summary };
  });
}

/** Percentile curve of a histogram: (percentile, value µs) points at increasing "nines" up to max. */
export function percentileCurve(record: HistogramRecord, maxNines = 5, pointsPerNine = 10): { percentile: number; valueUs: number }[] {
  if (record.summary.count === 0) return [];
  const histogram = decodeRecord(record);
  const points: { percentile: number; valueUs: number }[] = [];
  for (let i = 0; i <= maxNines * pointsPerNine; i++) {
    // Evenly spaced in log10(1 / (1 − p)): 0, 0.1, ... "nines".
    const percentile = 100 * (1 - 10 ** (-i / pointsPerNine));
    points.push({ percentile, valueUs: histogram.getValueAtPercentile(percentile) });
  }
  points.push({ percentile: 100, valueUs: histogram.getValueAtPercentile(100) });
  histogram.destroy();
  return points;
}
