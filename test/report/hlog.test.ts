import hdr from 'hdr-histogram-js';
import { describe, expect, test } from 'vitest';
import { hlogTag, renderHlog } from '../../src/report/hlog.js';
import type { StepResult } from '../../src/metrics/result.js';
import { loadQuickstartFixture, loadSweepFixture } from './fixture.js';

/** Every interval histogram of a log, read with hdr-histogram-js's own HistogramLogReader. */
function readAll(log: string): { tag: string | undefined; count: number; maxUs: number; startMs: number; endMs: number }[] {
  const reader = new hdr.HistogramLogReader(log, 64, false);
  const out = [];
  for (let i = 0; i < 1000; i++) {
    const h = reader.nextIntervalHistogram();
    if (h === null) break;
    out.push({ tag: h.tag, count: h.totalCount, maxUs: h.maxValue, startMs: h.startTimeStampMsec, endMs: h.endTimeStampMsec });
    h.destroy();
  }
  return out;
}

describe('.hlog', () => {
  test('decodes back to every interval of every measured step, tagged by path and step', () => {
    const result = loadSweepFixture();

    const intervals = readAll(renderHlog(result));

    const measured = result.steps.filter((s) => s.status !== 'failed');
    expect(intervals).toHaveLength(measured.length * 2);
    for (const step of measured) {
      const mine = intervals.filter((i) => i.tag === hlogTag(step));
      expect(mine).toHaveLength(2);
      // Counts in == counts out: the intervals add up to the step's whole-window histogram.
      expect(mine.reduce((a, i) => a + i.count, 0)).toBe(step.metrics.histograms.roundTrip.summary.count);
      expect(Math.max(...mine.map((i) => i.maxUs))).toBe(step.metrics.histograms.roundTrip.summary.maxUs);
    }
    // The fixture predates recorded window starts: steps laid end to end from the run's start.
    const start = Date.parse(result.startedAt);
    const first = measured[0]!.metrics;
    expect(intervals[1]).toMatchObject({ startMs: start + first.warmupMs + 500, endMs: start + first.warmupMs + 1000 });
    expect(new Set(hdr.listTags(renderHlog(result)))).toEqual(new Set(measured.map(hlogTag)));
  });

  test('a step without intervals is one whole-window interval', () => {
    const result = loadQuickstartFixture();

    const intervals = readAll(renderHlog(result));

    expect(intervals.map((i) => i.tag)).toEqual(['path=direct;step=tcp-request-response@direct', 'path=relay-emulated;step=tcp-request-response@relay-emulated']);
    expect(intervals.map((i) => i.count)).toEqual(
      result.steps.map((s) => (s.status === 'failed' ? 0 : s.metrics.histograms.roundTrip.summary.count)),
    );
  });

  test('one time line from one StartTime: steps follow each other, never restarting at 0', () => {
    const result = loadSweepFixture();

    const intervals = readAll(renderHlog(result));

    for (let i = 1; i < intervals.length; i++) expect(intervals[i]!.startMs, `interval ${i}`).toBeGreaterThanOrEqual(intervals[i - 1]!.endMs);
  });

  test('recorded window starts place every interval at its real time after the run\'s start', () => {
    const result = loadSweepFixture();
    const measured = result.steps.filter((s): s is Exclude<StepResult, { status: 'failed' }> => s.status !== 'failed');
    measured.forEach((s, i) => (s.metrics.windowStartMs = 2_000 + 1_700 * i));

    const intervals = readAll(renderHlog(result));

    const start = Date.parse(result.startedAt);
    const ofStep = (i: number) => intervals.filter((x) => x.tag === hlogTag(measured[i]!));
    expect(ofStep(0).map((x) => [x.startMs - start, x.endMs - start])).toEqual([[2_000, 2_500], [2_500, 3_000]]);
    expect(ofStep(3).map((x) => x.startMs - start)).toEqual([7_100, 7_600]);
    expect(renderHlog(result)).not.toContain('estimated');
  });

  test('commas and spaces in ids cannot break the comma-separated log format', () => {
    expect(hlogTag({ pathId: 'relay 1', stepId: 'w[a=1,b=2]@relay 1', repetition: 2 })).toBe('path=relay_1;step=w[a=1_b=2]@relay_1;rep=2');
  });
});
