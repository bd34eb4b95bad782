// How late an emulated link released what it held, per traversal: one HDR histogram (µs) per
// component that holds messages (delay proxy, relay bridge, agent, forwarder). Read into a run's
// counters so every result can state its own emulation error (metrics/emulation.ts).

import { createLatencyHistogram, recordUs, toRecord } from '../metrics/histogram.js';
import type { HistogramRecord } from '../metrics/result.js';

/** Counts the lateness of released traversals. */
export interface LatenessRecorder {
  /** Records one traversal released `latenessUs` after its due time (never negative: a hold never releases early). */
  record(latenessUs: number): void;
  /** Traversals recorded so far. */
  readonly count: number;
  /** The histogram so far; undefined when nothing was held yet. */
  snapshot(): HistogramRecord | undefined;
}

/** `{ releaseLateness }` for a stats object, or nothing when the recorder saw no traversal. */
export function releaseLateness(recorder: LatenessRecorder): { releaseLateness?: HistogramRecord } {
  const record = recorder.snapshot();
  return record === undefined ? {} : { releaseLateness: record };
}

/** A new, empty recorder. */
export function createLatenessRecorder(): LatenessRecorder {
  const histogram = createLatencyHistogram();
  return {
    record: (latenessUs) => recordUs(histogram, latenessUs),
    get count() {
      return histogram.totalCount;
    },
    snapshot: () => (histogram.totalCount === 0 ? undefined : toRecord(histogram)),
  };
}
