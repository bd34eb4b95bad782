// Exact merging of StepMetrics measured in parallel over the same window (generator threads):
// counters add, histograms merge bucket by bucket from their encodings. Pure; no I/O.

import hdr from 'hdr-histogram-js';
import type { ErrorKind, StepCounters, StepInterval, StepMetrics } from './result.js';
import { mergeHistograms, mergeRecords } from './histogram.js';

type ErrorMap = Partial<Record<ErrorKind, number>>;

function addErrors(into: ErrorMap, from: ErrorMap | undefined): void {
  for (const [kind, n] of Object.entries(from ?? {}) as [ErrorKind, number][]) into[kind] = (into[kind] ?? 0) + n;
}

/** Sum of counters; optional fields appear when any input has them. `connectionsPeak` sums the peaks (an upper bound). */
export function mergeCounters(list: readonly StepCounters[]): StepCounters {
  const out: StepCounters = { transactions: 0, roundTrips: 0, connectionsOpened: 0, bytesSent: 0, bytesReceived: 0, errors: {} };
  for (const c of list) {
    for (const [key, value] of Object.entries(c) as [keyof StepCounters, unknown][]) {
      if (key === 'errors' || key === 'retriedErrors') continue;
      if (typeof value === 'number') (out as unknown as Record<string, number>)[key] = ((out as unknown as Record<string, number | undefined>)[key] ?? 0) + value;
    }
    addErrors(out.errors, c.errors);
    if (c.retriedErrors !== undefined) addErrors((out.retriedErrors ??= {}), c.retriedErrors);
  }
  return out;
}

/**
 * Merges metrics of parallel generators that ran the same window. Histograms merge exactly;
 * rates are recomputed over the longest measured duration; per-interval throughput is not
 * mergeable from distributions and is dropped (a note says so).
 */
export function mergeStepMetrics(list: readonly StepMetrics[]): StepMetrics {
  const first = list[0];
  if (first === undefined) throw new RangeError('mergeStepMetrics needs at least one input');
  const durationMs = Math.max(...list.map((m) => m.durationMs));
  const counters = mergeCounters(list.map((m) => m.counters));
  const seconds = durationMs / 1000;
  const names = new Set(list.flatMap((m) => Object.keys(m.histograms))) as Set<keyof StepMetrics['histograms']>;
  const histograms = {} as StepMetrics['histograms'];
  for (const name of names) {
    const records = list.flatMap((m) => (m.histograms[name] === undefined ? [] : [m.histograms[name]]));
    histograms[name] = mergeRecords(records);
  }
  const notes = [...new Set(list.flatMap((m) => m.notes ?? []))];
  if (list.some((m) => m.throughput !== undefined)) notes.push('per-interval throughput of parallel generators is not merged');
  const merged: StepMetrics = {
    durationMs,
    warmupMs: first.warmupMs,
    counters,
    transactionsPerSec: seconds > 0 ? counters.transactions / seconds : 0,
    roundTripsPerSec: seconds > 0 ? counters.roundTrips / seconds : 0,
    histograms,
  };
  if (list.every((m) => m.warmupCounters !== undefined)) merged.warmupCounters = mergeCounters(list.map((m) => m.warmupCounters as StepCounters));
  if (first.timing !== undefined) merged.timing = first.timing;
  const intervals = mergeIntervals(list);
  if (intervals.length > 0) merged.intervals = intervals;
  if (notes.length > 0) merged.notes = notes;
  return merged;
}

/** Interval histograms merged by start time (generators share the window's interval grid). */
function mergeIntervals(list: readonly StepMetrics[]): StepInterval[] {
  const byStart = new Map<number, StepInterval[]>();
  for (const interval of list.flatMap((m) => m.intervals ?? [])) byStart.set(interval.startMs, [...(byStart.get(interval.startMs) ?? []), interval]);
  return [...byStart.entries()]
    .sort(([a], [b]) => a - b)
    .map(([startMs, parts]) => {
      const decoded = parts.map((p) => hdr.decodeFromCompressedBase64(p.roundTrip, 64, false));
      const merged = mergeHistograms(decoded);
      const roundTrip = hdr.encodeIntoCompressedBase64(merged);
      for (const h of [...decoded, merged]) h.destroy();
      return { startMs, durationMs: Math.max(...parts.map((p) => p.durationMs)), roundTrip };
    });
}
