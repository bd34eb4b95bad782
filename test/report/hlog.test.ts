import hdr from 'hdr-histogram-js';
import { describe, expect, test } from 'vitest';
import { hlogTag, renderHlog } from '../../src/report/hlog.js';
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
    const start = Date.parse(result.startedAt);
    expect(intervals[1]).toMatchObject({ startMs: start + 500, endMs: start + 1000 });
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

  test('commas and spaces in ids cannot break the comma-separated log format', () => {
    expect(hlogTag({ pathId: 'relay 1', stepId: 'w[a=1,b=2]@relay 1', repetition: 2 })).toBe('path=relay_1;step=w[a=1_b=2]@relay_1;rep=2');
  });
});
