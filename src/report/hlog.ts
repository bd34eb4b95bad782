// HdrHistogram interval log (.hlog) renderer: every step's round-trip interval histograms, tagged
// by path and step, readable by HistogramLogProcessor / HistogramLogAnalyzer and hdr-histogram-js's
// HistogramLogReader. Pure: returns a string.

import hdr from 'hdr-histogram-js';
import type { RunResult, StepResult } from '../metrics/result.js';
import { decodeEncoded } from './histograms.js';
import { rehearsalNote } from './rehearsal-note.js';

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
 * Where each measured step's window starts, ms after the run's start: `windowStartMs` when the
 * result has it for every step, else estimated by laying the steps end to end in run order
 * (warm-up, then window), which ignores the setup between steps.
 */
export function windowStarts(result: RunResult): { startsMs: Map<StepResult, number>; isEstimated: boolean } {
  const measured = result.steps.filter((s): s is Exclude<StepResult, { status: 'failed' }> => s.status !== 'failed');
  const startsMs = new Map<StepResult, number>();
  if (measured.every((s) => typeof s.metrics.windowStartMs === 'number')) {
    for (const s of measured) startsMs.set(s, s.metrics.windowStartMs!);
    return { startsMs, isEstimated: false };
  }
  let atMs = 0;
  for (const s of measured) {
    atMs += s.metrics.warmupMs;
    startsMs.set(s, atMs);
    atMs += s.metrics.durationMs;
  }
  return { startsMs, isEstimated: true };
}

/**
 * Values are µs; `Interval_Max` is written in ms (ratio 1000). Timestamps are seconds from the
 * run's start (`#[StartTime]`), one time line for every step; a step without interval histograms
 * is written as one interval holding its whole-window histogram.
 */
export function renderHlog(result: RunResult): string {
  let text = '';
  const writer = new hdr.HistogramLogWriter((chunk: string) => {
    text += chunk;
  });
  const { startsMs, isEstimated } = windowStarts(result);
  writer.outputLogFormatVersion();
  writer.outputComment(`hcbench ${result.environment.hcbenchVersion} · ${result.scenario.name} · ${result.status} · round-trip latency in microseconds`);
  writer.outputComment(
    isEstimated
      ? 'timestamps are seconds from the run\'s start, estimated (this result predates recorded window starts: steps laid end to end)'
      : 'timestamps are seconds from the run\'s start; tags are path=<path>;step=<step>[;rep=<n>]',
  );
  const rehearsal = rehearsalNote(result);
  if (rehearsal !== undefined) writer.outputComment(rehearsal);
  writer.outputStartTime(Date.parse(result.startedAt));
  writer.outputLegend();
  for (const step of result.steps) {
    if (step.status === 'failed') continue;
    const { metrics } = step;
    const baseMs = startsMs.get(step) ?? 0;
    const intervals =
      metrics.intervals !== undefined && metrics.intervals.length > 0
        ? metrics.intervals
        : [{ startMs: 0, durationMs: metrics.durationMs, roundTrip: metrics.histograms.roundTrip.encoded }];
    for (const interval of intervals) {
      const histogram = decodeEncoded(interval.roundTrip);
      histogram.tag = hlogTag(step);
      writer.outputIntervalHistogram(histogram, (baseMs + interval.startMs) / 1000, (baseMs + interval.startMs + interval.durationMs) / 1000, 1000);
      histogram.destroy();
    }
  }
  return text;
}
