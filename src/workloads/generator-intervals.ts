// Live intervals of generator threads (`generators: N` > 1). Each thread's recorder reports its
// finished intervals; the thread posts them (counters, and the histograms behind them as exact
// value/count pairs) to the main thread, which merges the threads' figures exactly (summed counts,
// merged histograms, never averaged percentiles) and hands the step's listener one interval as a
// single-threaded run would. Interval i goes out once every thread has reported i or a later one
// (a thread reports an interval when its first round trip of a later one completes; a thread that
// skips intervals had no round trips in them).

import { createLatencyHistogram, forEachRecorded, summarize, type Histogram } from '../metrics/histogram.js';
import { mergeCounters } from '../metrics/merge.js';
import type { CoreLatencyMetric, LiveInterval } from '../metrics/recorder.js';
import type { StepCounters } from '../metrics/result.js';

type Key = CoreLatencyMetric | 'interval';
const KEYS: readonly Key[] = ['roundTrip', 'transaction', 'connect', 'interval'];

/** What a generator thread posts per finished interval (structured-clonable). */
export interface PostedInterval {
  type: 'interval';
  index: number;
  intervalMs: number;
  counters: StepCounters;
  /** Per histogram: its recorded values as flat [value µs, count, value µs, count, …]. */
  values: Record<Key, number[]>;
}

/** A histogram's recorded values as flat value/count pairs (its highest equivalent values). */
function valueCounts(histogram: Histogram): number[] {
  const out: number[] = [];
  forEachRecorded(histogram, (valueUs, count) => {
    if (count > 0) out.push(valueUs, count);
  });
  return out;
}

/** The message a thread posts for `interval` (undefined when the recorder gave no histograms). */
export function postedInterval(interval: LiveInterval): PostedInterval | undefined {
  const histograms = interval.histograms?.();
  if (histograms === undefined) return undefined;
  const values = { roundTrip: [], transaction: [], connect: [], interval: [] } as Record<Key, number[]>;
  for (const key of KEYS) values[key] = valueCounts(histograms[key]);
  return { type: 'interval', index: interval.index, intervalMs: interval.intervalMs, counters: interval.counters, values };
}

/** One histogram holding every value/count list of `lists`. */
function histogramOf(lists: readonly (readonly number[])[]): Histogram {
  const histogram = createLatencyHistogram();
  for (const list of lists) for (let i = 0; i + 1 < list.length; i += 2) histogram.recordValueWithCount(list[i]!, list[i + 1]!);
  return histogram;
}

/** Merges the intervals posted by `threads` generator threads and emits them; see the file comment. */
export class IntervalMerger {
  private readonly latest: (PostedInterval | undefined)[];
  /** Interval histograms (values) posted per interval index, not yet emitted. */
  private readonly parts = new Map<number, number[][]>();
  private emitted = -1;

  constructor(
    threads: number,
    private readonly listener: (interval: LiveInterval) => void,
  ) {
    this.latest = Array.from({ length: threads }, () => undefined);
  }

  /** Takes thread `thread`'s posted interval; emits the merged interval when every thread has reached it. */
  add(thread: number, posted: PostedInterval): void {
    if (thread < 0 || thread >= this.latest.length || posted.index <= this.emitted) return;
    this.latest[thread] = posted;
    const list = this.parts.get(posted.index) ?? [];
    list.push(posted.values.interval);
    this.parts.set(posted.index, list);
    let ready = Infinity;
    for (const p of this.latest) ready = Math.min(ready, p === undefined ? -1 : p.index);
    if (ready <= this.emitted) return;
    this.emitted = ready;
    const intervalValues = this.parts.get(ready) ?? [];
    for (const index of [...this.parts.keys()]) if (index <= ready) this.parts.delete(index);
    this.emit(ready, this.latest as PostedInterval[], intervalValues);
  }

  private emit(index: number, threads: readonly PostedInterval[], intervalValues: readonly number[][]): void {
    const histograms: Record<Key, Histogram> = {
      roundTrip: histogramOf(threads.map((t) => t.values.roundTrip)),
      transaction: histogramOf(threads.map((t) => t.values.transaction)),
      connect: histogramOf(threads.map((t) => t.values.connect)),
      interval: histogramOf(intervalValues),
    };
    try {
      const counters = mergeCounters(threads.map((t) => t.counters));
      const intervalMs = threads[0]?.intervalMs ?? 1000;
      const h = histograms.interval;
      this.listener({
        index,
        intervalMs,
        roundTrips: h.totalCount,
        roundTripsPerSec: (h.totalCount * 1000) / intervalMs,
        p50Us: h.totalCount === 0 ? 0 : h.getValueAtPercentile(50),
        p99Us: h.totalCount === 0 ? 0 : h.getValueAtPercentile(99),
        transactions: counters.transactions,
        errors: Object.values(counters.errors).reduce((a, b) => a + (b ?? 0), 0),
        counters,
        latency: { roundTrip: summarize(histograms.roundTrip), transaction: summarize(histograms.transaction), connect: summarize(histograms.connect) },
        histograms: () => histograms,
      });
    } finally {
      for (const h of Object.values(histograms)) h.destroy();
    }
  }
}
