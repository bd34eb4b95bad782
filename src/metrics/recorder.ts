// StepRecorder: collects one step's latency histograms (integer µs) and counters, split into a
// warm-up and a measured phase, and produces StepMetrics. It does not time anything itself and
// does no I/O: drivers hand it durations measured with their injected clock.

import type { ErrorKind, HistogramRecord, StepCounters, StepMetrics } from './result.js';
import { createLatencyHistogram, recordNs, toRecord, type Histogram } from './histogram.js';

/** Which part of a run a recorded event belongs to. Warm-up events are counted apart and never histogrammed. */
export type Phase = 'warmup' | 'measured';

/** Latency metrics every StepRecorder keeps (see StepMetrics.histograms for their meaning). */
export type LatencyMetric = 'roundTrip' | 'transaction' | 'connect';

const LATENCY_METRICS: readonly LatencyMetric[] = ['roundTrip', 'transaction', 'connect'];

/** Fresh all-zero counters. */
export function createCounters(): StepCounters {
  return { transactions: 0, roundTrips: 0, connectionsOpened: 0, bytesSent: 0, bytesReceived: 0, errors: {} };
}

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

  constructor() {
    for (const metric of LATENCY_METRICS) this.histograms.set(metric, createLatencyHistogram());
  }

  /** Records a duration in nanoseconds (rounded to µs); ignored in the warm-up phase. */
  recordNs(phase: Phase, metric: LatencyMetric, durationNs: bigint): void {
    if (phase !== 'measured') return;
    const histogram = this.histograms.get(metric);
    if (histogram !== undefined) recordNs(histogram, durationNs);
  }

  /** The counters of one phase (for reading; mutate through the count* methods). */
  counters(phase: Phase): Readonly<StepCounters> {
    return phase === 'measured' ? this.measured : this.warmup;
  }

  countTransaction(phase: Phase): void {
    this.target(phase).transactions += 1;
  }

  countRoundTrip(phase: Phase): void {
    this.target(phase).roundTrips += 1;
  }

  countConnectionOpened(phase: Phase): void {
    this.target(phase).connectionsOpened += 1;
  }

  /** Adds application payload bytes written to the dial address. */
  addBytesSent(phase: Phase, bytes: number): void {
    this.target(phase).bytesSent += bytes;
  }

  /** Adds application payload bytes read from the dial address. */
  addBytesReceived(phase: Phase, bytes: number): void {
    this.target(phase).bytesReceived += bytes;
  }

  countError(phase: Phase, kind: ErrorKind): void {
    const errors = this.target(phase).errors;
    errors[kind] = (errors[kind] ?? 0) + 1;
  }

  /** Sum of all errors of one phase. */
  errorCount(phase: Phase): number {
    return Object.values(this.target(phase).errors).reduce((sum, n) => sum + (n ?? 0), 0);
  }

  /** Plain, serialisable metrics of the measured phase (plus warm-up counters for reconciliation). */
  snapshot(options: SnapshotOptions): StepMetrics {
    const seconds = options.durationMs / 1000;
    const perSec = (n: number): number => (seconds > 0 ? n / seconds : 0);
    return {
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      counters: copyCounters(this.measured),
      transactionsPerSec: perSec(this.measured.transactions),
      roundTripsPerSec: perSec(this.measured.roundTrips),
      histograms: {
        roundTrip: this.record('roundTrip'),
        transaction: this.record('transaction'),
        connect: this.record('connect'),
      },
      warmupCounters: copyCounters(this.warmup),
    };
  }

  /** Releases the histograms. The recorder must not be used afterwards. */
  destroy(): void {
    for (const h of this.histograms.values()) h.destroy();
    this.histograms.clear();
  }

  private record(metric: LatencyMetric): HistogramRecord {
    const histogram = this.histograms.get(metric) ?? createLatencyHistogram();
    return toRecord(histogram);
  }

  private target(phase: Phase): StepCounters {
    return phase === 'measured' ? this.measured : this.warmup;
  }
}

function copyCounters(c: StepCounters): StepCounters {
  return { ...c, errors: { ...c.errors } };
}
