// HdrHistogram interval log (.hlog) renderer: every step's round-trip interval histograms, tagged
// by path and step, readable by HistogramLogProcessor / HistogramLogAnalyzer and hdr-histogram-js's
// HistogramLogReader. Pure: returns a string.

import hdr from 'hdr-histogram-js';
import type { RunResult } from '../metrics/result.js';
import { decodeEncoded } from './histograms.js';

/**
 * The tag of a step's histograms: `path=<pathId>;step=<stepId>[;rep=<n>]`. The log format splits
 * fields on commas, so commas and whitespace in ids become `_`.
 */
export function hlogTag(step: { pathId: string; stepId: string; repetition?: number }): string {
  const clean = (text: string) => text.replace(/[,\s]/g, '_');
  const rep = step.repetition === undefined || step.repetition === 0 ? '' : `;rep=${step.repetition}`;
  return `path=${clean(step.pathId)};step=${clean(step.stepId)}${rep}`;
}

/**
 * Values are µs; `Interval_Max` is written in ms (ratio 1000). Timestamps are seconds from the start
 * of each step's measured window; `#[StartTime]` is the run's start. A step without interval
 * histograms is written as one interval holding its whole-window histogram.
 */
export function renderHlog(result: RunResult): string {
  let text = '';
  const writer = new hdr.HistogramLogWriter((chunk: string) => {
    text += chunk;
  });
  writer.outputLogFormatVersion();
  writer.outputComment(`hcbench ${result.environment.hcbenchVersion} · ${result.scenario.name} · ${result.status} · round-trip latency in microseconds`);
  writer.outputComment('timestamps are seconds from the start of each step\'s measured window; tags are path=<path>;step=<step>[;rep=<n>]');
  writer.outputStartTime(Date.parse(result.startedAt));
  writer.outputLegend();
  for (const step of result.steps) {
    if (step.status === 'failed') continue;
    const { metrics } = step;
    const intervals =
      metrics.intervals !== undefined && metrics.intervals.length > 0
        ? metrics.intervals
        : [{ startMs: 0, durationMs: metrics.durationMs, roundTrip: metrics.histograms.roundTrip.encoded }];
    for (const interval of intervals) {
      const histogram = decodeEncoded(interval.roundTrip);
      histogram.tag = hlogTag(step);
      writer.outputIntervalHistogram(histogram, interval.startMs / 1000, (interval.startMs + interval.durationMs) / 1000, 1000);
      histogram.destroy();
    }
  }
  return text;
}
