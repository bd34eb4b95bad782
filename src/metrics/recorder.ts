// StepRecorder: collects one step's latency histograms (integer µs) and counters, split into a
// warm-up and a measured phase, and produces StepMetrics. It does not time anything itself and
// does no I/O: drivers hand it durations measured with their injected clock.

import hdr from 'hdr-histogram-js';
import type { ErrorKind, HistogramRecord, LatencySummary, StepCounters, StepInterval, StepMetrics } from './result.js';
import { createLatencyHistogram, mergeHistograms, recordNs, summarize, toRecord, type Histogram } from './histogram.js';
import { IntervalHistograms } from './interval-histograms.js';

/** Which part of a run a recorded event belongs to. Warm-up events are counted apart and never histogrammed. */
export type Phase = 'warmup' | 'measured';

/** Latency metrics every StepRecorder keeps (see StepMetrics.histograms for their meaning). */
export type CoreLatencyMetric = 'roundTrip' | 'transaction' | 'connect';
/** Latency metrics a driver may add (see StepMetrics.histograms). */
export type OptionalLatencyMetric = 'firstByte' | 'responseTime' | 'serviceTime' | 'dispatchLag' | 'poolWait' | 'close';
export type LatencyMetric = CoreLatencyMetric | OptionalLatencyMetric;

/** Counters that are plain numbers (everything but the error maps and the peak). */
export type NumericCounter = Exclude<
  { [K in keyof StepCounters]-?: StepCounters[K] extends number | undefined ? K : never }[keyof StepCounters],
  'connectionsPeak'
>;

const CORE_METRICS: readonly CoreLatencyMetric[] = ['roundTrip', 'transaction', 'connect'];

/** Fresh all-zero counters (the always-present fields only). */
export function createCounters(): StepCounters {
  return { transactions: 0, roundTrips: 0, connectionsOpened: 0, bytesSent: 0, bytesReceived: 0, errors: {} };
}

/** One finished interval of the measured window, for live progress displays. */
export interface LiveInterval {
  /** 0-based interval number from the start of the measured window. */
  index: number;
  intervalMs: number;
  roundTrips: number;
  roundTripsPerSec: number;
  /** Round-trip percentiles of this interval, µs. */
  p50Us: number;
  p99Us: number;
  /** Totals of the measured window so far. */
  transactions: number;
  errors: number;
  /** Every counter of the measured window so far (a copy), for live exporters. */
  counters: StepCounters;
  /** Percentile summaries of the measured window so far (not just this interval), µs. */
  latency: Record<CoreLatencyMetric, LatencySummary>;
  /**
   * The histograms of the measured window so far behind `latency` and (`interval`) this
   * interval's round trips, for exporters and merges that need the buckets. Read them only during
   * the listener call (they go on changing); never destroy them.
   */
  histograms?: () => Readonly<Record<CoreLatencyMetric | 'interval', Histogram>>;
}

/**
 * One transaction's end, as it happens (warm-up included): a success with its dispatch time (clock
 * ns), or a failure counted in `errors` with its kind. For fault windows and recovery times.
 */
export type TransactionOutcome = { ok: true; dispatchNs: bigint } | { ok: false; kind: ErrorKind };

/** Options of StepRecorder.snapshot. */
export interface SnapshotOptions {
  /** Length of the measured window in milliseconds (the rate denominator). */
  durationMs: number;
  /** Configured warm-up in milliseconds. */
  warmupMs: number;
}

/** Collects one step's histograms and counters. Call `destroy()` when done. */
export class StepRecorder {
  private readonly histograms = new Map<LatencyMetric, Histogram>();
  private readonly measured: StepCounters = createCounters();
  private readonly warmup: StepCounters = createCounters();
  private openConnections = 0;
  private peakConnections = 0;
  /** Round-trip histograms per interval of the measured window (index = interval number). */
  /** Round-trip histograms per interval of the measured window (from startIntervals). */
  private intervals: IntervalHistograms | undefined;
  private intervalNs = 1_000_000_000n;
  private onInterval: ((interval: LiveInterval) => void) | undefined;
  private onOutcome: ((outcome: TransactionOutcome) => void) | undefined;

  /** `optionalMetrics`: extra histograms that appear in the snapshot even when empty. */
  constructor(optionalMetrics: readonly OptionalLatencyMetric[] = []) {
    for (const metric of [...CORE_METRICS, ...optionalMetrics]) this.histograms.set(metric, createLatencyHistogram());
  }

  /** Called once per finished interval with its figures, for live progress. */
  setIntervalListener(listener: ((interval: LiveInterval) => void) | undefined): void {
    this.onInterval = listener;
  }

  /** Called with every transaction's success (see `noteSuccess`) and every counted error, both phases. */
  setOutcomeListener(listener: ((outcome: TransactionOutcome) => void) | undefined): void {
    this.onOutcome = listener;
  }

  /** Reports a successful transaction dispatched at `dispatchNs` to the outcome listener (counts nothing). */
  noteSuccess(dispatchNs: bigint): void {
    this.onOutcome?.({ ok: true, dispatchNs });
  }

  /**
   * Starts interval histograms of round trips: from `measuredStartNs` (clock ns, the end of the
   * warm-up), one per `intervalMs` (default 1000). Round trips recorded with `atNs` land in them.
   */
  startIntervals(measuredStartNs: bigint, intervalMs = 1000): void {
    this.intervals?.destroy();
    this.intervalNs = BigInt(Math.max(1, Math.round(intervalMs * 1e6)));
    this.intervals = new IntervalHistograms(measuredStartNs, this.intervalNs);
  }

  /**
   * Records a duration in nanoseconds (rounded to µs); ignored in the warm-up phase. `atNs`, the
   * clock time the event completed, also files round trips into their interval histogram.
   */
  recordNs(phase: Phase, metric: LatencyMetric, durationNs: bigint, atNs?: bigint): void {
    if (phase !== 'measured') return;
    if (metric === 'roundTrip' && atNs !== undefined) this.intervals?.record(atNs, durationNs, this.reportNewest);
    let histogram = this.histograms.get(metric);
    if (histogram === undefined) {
      histogram = createLatencyHistogram();
      this.histograms.set(metric, histogram);
    }
    recordNs(histogram, durationNs);
  }

  /** The counters of one phase (for reading; mutate through the count methods). */
  counters(phase: Phase): Readonly<StepCounters> {
    return this.target(phase);
  }

  /** Adds `n` (default 1) to a numeric counter of `phase`. */
  add(phase: Phase, counter: NumericCounter, n = 1): void {
    const c = this.target(phase);
    c[counter] = (c[counter] ?? 0) + n;
  }

  countTransaction(phase: Phase): void {
    this.add(phase, 'transactions');
  }

  countRoundTrip(phase: Phase): void {
    this.add(phase, 'roundTrips');
  }

  /** Counts a connection opened and tracks the peak of connections open at once. */
  countConnectionOpened(phase: Phase): void {
    this.add(phase, 'connectionsOpened');
    this.openConnections += 1;
    this.peakConnections = Math.max(this.peakConnections, this.openConnections);
  }

  /** Marks a connection counted by `countConnectionOpened` as gone (for the peak). */
  countConnectionGone(): void {
    this.openConnections = Math.max(0, this.openConnections - 1);
  }

  /** Adds application payload bytes written to the dial address. */
  addBytesSent(phase: Phase, bytes: number): void {
    this.target(phase).bytesSent += bytes;
  }

  /** Adds application payload bytes read from the dial address. */
  addBytesReceived(phase: Phase, bytes: number): void {
    this.target(phase).bytesReceived += bytes;
  }

  private readonly reportNewest = (index: number): void => this.reportInterval(index);

  private reportInterval(index: number): void {
    const h = this.intervals?.view(index);
    if (this.onInterval === undefined || h === undefined) return;
    const intervalMs = Number(this.intervalNs) / 1e6;
    const errors = Object.values(this.measured.errors).reduce((a, b) => a + (b ?? 0), 0);
    this.onInterval({
      index,
      intervalMs,
      roundTrips: h.totalCount,
      roundTripsPerSec: (h.totalCount * 1000) / intervalMs,
      p50Us: h.totalCount === 0 ? 0 : h.getValueAtPercentile(50),
      p99Us: h.totalCount === 0 ? 0 : h.getValueAtPercentile(99),
      transactions: this.measured.transactions,
      errors,
      counters: { ...copyCounters(this.measured), ...(this.peakConnections > 0 ? { connectionsPeak: this.peakConnections } : {}) },
      latency: { roundTrip: this.summary('roundTrip'), transaction: this.summary('transaction'), connect: this.summary('connect') },
      histograms: () => ({ roundTrip: this.live('roundTrip'), transaction: this.live('transaction'), connect: this.live('connect'), interval: h }),
    });
  }

  /** The recorder's own histogram of a core metric (always there: the constructor made it). */
  private live(metric: CoreLatencyMetric): Histogram {
    const histogram = this.histograms.get(metric) ?? createLatencyHistogram();
    this.histograms.set(metric, histogram);
    return histogram;
  }

  countError(phase: Phase, kind: ErrorKind): void {
    const errors = this.target(phase).errors;
    errors[kind] = (errors[kind] ?? 0) + 1;
    this.onOutcome?.({ ok: false, kind });
  }

  /** Counts a failed attempt that will be retried: `retries` and `retriedErrors[kind]`, not `errors`. */
  countRetry(phase: Phase, kind: ErrorKind): void {
    const c = this.target(phase);
    c.retries = (c.retries ?? 0) + 1;
    const retried = (c.retriedErrors ??= {});
    retried[kind] = (retried[kind] ?? 0) + 1;
  }

  /** Sum of all errors of one phase. */
  errorCount(phase: Phase): number {
    return Object.values(this.target(phase).errors).reduce((sum, n) => sum + (n ?? 0), 0);
  }

  /** Plain, serialisable metrics of the measured phase (plus warm-up counters for reconciliation). */
  snapshot(options: SnapshotOptions): StepMetrics {
    const seconds = options.durationMs / 1000;
    const perSec = (n: number): number => (seconds > 0 ? n / seconds : 0);
    const histograms: StepMetrics['histograms'] = {
      roundTrip: this.record('roundTrip'),
      transaction: this.record('transaction'),
      connect: this.record('connect'),
    };
    for (const [metric, histogram] of this.histograms) {
      if (!(CORE_METRICS as readonly string[]).includes(metric)) histograms[metric as OptionalLatencyMetric] = toRecord(histogram);
    }
    const counters = copyCounters(this.measured);
    if (this.peakConnections > 0) counters.connectionsPeak = this.peakConnections;
    const intervalMs = Number(this.intervalNs) / 1e6;
    // Round trips that completed in the grace after the window belong to its last interval, so
    // the intervals always add up to the whole-step histogram.
    const lastIndex = Math.max(0, Math.ceil(options.durationMs / intervalMs) - 1);
    const intervals: StepInterval[] = [];
    const list = this.intervals?.list ?? [];
    for (let i = 0; i <= Math.min(lastIndex, list.length - 1); i++) {
      const h = list[i];
      if (h === undefined) continue;
      const late = i === lastIndex ? list.slice(lastIndex + 1) : [];
      const merged = late.length === 0 ? h : mergeHistograms([h, ...late]);
      intervals.push({ startMs: i * intervalMs, durationMs: Math.max(0, Math.min(intervalMs, options.durationMs - i * intervalMs)), roundTrip: hdr.encodeIntoCompressedBase64(merged) });
      if (merged !== h) merged.destroy();
    }
    return {
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      counters,
      transactionsPerSec: perSec(this.measured.transactions),
      roundTripsPerSec: perSec(this.measured.roundTrips),
      histograms,
      warmupCounters: copyCounters(this.warmup),
      ...(this.intervals === undefined ? {} : { intervals }),
    };
  }

  /** Releases the histograms. The recorder must not be used afterwards. */
  destroy(): void {
    for (const h of this.histograms.values()) h.destroy();
    this.histograms.clear();
    this.intervals?.destroy();
  }

  private record(metric: CoreLatencyMetric): HistogramRecord {
    return toRecord(this.live(metric));
  }

  private summary(metric: CoreLatencyMetric): LatencySummary {
    return summarize(this.live(metric));
  }

  private target(phase: Phase): StepCounters {
    return phase === 'measured' ? this.measured : this.warmup;
  }
}

function copyCounters(c: StepCounters): StepCounters {
  const copy: StepCounters = { ...c, errors: { ...c.errors } };
  if (c.retriedErrors !== undefined) copy.retriedErrors = { ...c.retriedErrors };
  return copy;
}
