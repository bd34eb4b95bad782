// What hcbench sends to Prometheus, named per Prometheus conventions: latencies as summaries in
// seconds (quantile 0.5/0.9/0.99/0.999 and 1 for the max, with _sum and _count) or, for a
// receiver that takes them, native histograms of the same names (native-histogram.ts); counters
// with _total. All figures cover the step's measured window so far (cumulative), so the last sample of
// a step equals the step's result. Every series carries the identity labels (scenario, step,
// path, path_kind, repetition, run_id and the user's tags).

import type { LatencySummary, StepCounters, StepMetrics } from '../metrics/result.js';
import type { SeriesSample } from './write-request.js';
import type { NativeHistogram } from './native-histogram.js';

/** Labels every series of one step carries (user tags merged in by the caller). */
export type SeriesLabels = Readonly<Record<string, string>>;

/** The latency summaries: result histogram name to metric name. */
export const LATENCY_METRICS = { roundTrip: 'hcbench_round_trip_seconds', transaction: 'hcbench_transaction_seconds', connect: 'hcbench_connect_seconds' } as const;

/** Quantile label values and the summary field each reads. */
const QUANTILES: readonly (readonly [string, keyof LatencySummary])[] = [
  ['0.5', 'p50Us'],
  ['0.9', 'p90Us'],
  ['0.99', 'p99Us'],
  ['0.999', 'p999Us'],
  ['1', 'maxUs'],
];

/** Step counters sent as Prometheus counters (absent ones as 0, so the series always exist). */
const COUNTERS: readonly (readonly [keyof StepCounters, string])[] = [
  ['transactions', 'hcbench_transactions_total'],
  ['roundTrips', 'hcbench_round_trips_total'],
  ['bytesSent', 'hcbench_bytes_sent_total'],
  ['bytesReceived', 'hcbench_bytes_received_total'],
  ['connectionsOpened', 'hcbench_connections_opened_total'],
  ['connectionsFailed', 'hcbench_connections_failed_total'],
  ['connectionsClosed', 'hcbench_connections_closed_total'],
  ['retries', 'hcbench_retries_total'],
  ['dropped', 'hcbench_dropped_total'],
  ['late', 'hcbench_late_total'],
];

/** Every metric name hcbench emits (a dashboard may reference only these). */
export const EMITTED_METRIC_NAMES: readonly string[] = [
  ...Object.values(LATENCY_METRICS).flatMap((name) => [name, `${name}_sum`, `${name}_count`]),
  ...COUNTERS.map(([, name]) => name),
  'hcbench_errors_total',
  'hcbench_connections_peak',
  'hcbench_generator_cpu_percent',
  'hcbench_generator_event_loop_delay_seconds',
  'hcbench_generator_valid',
  'hcbench_path_counter',
];

/** A latency histogram of the result (roundTrip, transaction, connect). */
export type LatencyKey = keyof typeof LATENCY_METRICS;

/**
 * Samples of a step's progress: its counters and latency of the measured window so far, as
 * summaries, or as native histograms for the metrics `native` has.
 */
export function stepSamples(
  labels: SeriesLabels,
  counters: StepCounters,
  latency: Readonly<Record<LatencyKey, LatencySummary>>,
  timestampMs: number,
  native?: Readonly<Record<LatencyKey, NativeHistogram>>,
): SeriesSample[] {
  const out: SeriesSample[] = [];
  const add = (name: string, value: number, extra: Record<string, string> = {}) => out.push({ labels: { ...labels, ...extra, __name__: name }, value, timestampMs });
  for (const [key, name] of Object.entries(LATENCY_METRICS) as [LatencyKey, string][]) {
    const histogram = native?.[key];
    if (histogram !== undefined) {
      out.push({ labels: { ...labels, __name__: name }, histogram, timestampMs });
      continue;
    }
    const summary = latency[key];
    for (const [quantile, field] of QUANTILES) add(name, summary[field] / 1e6, { quantile });
    add(`${name}_sum`, (summary.meanUs * summary.count) / 1e6);
    add(`${name}_count`, summary.count);
  }
  for (const [key, name] of COUNTERS) add(name, (counters[key] as number | undefined) ?? 0);
  for (const [kind, n] of Object.entries(counters.errors)) add('hcbench_errors_total', n ?? 0, { kind });
  add('hcbench_connections_peak', counters.connectionsPeak ?? 0);
  return out;
}

/** Samples of a finished step: its final figures and the load generator's health. */
export function finishedStepSamples(labels: SeriesLabels, metrics: StepMetrics, timestampMs: number, native?: Readonly<Record<LatencyKey, NativeHistogram>>): SeriesSample[] {
  const h = metrics.histograms;
  const out = stepSamples(labels, metrics.counters, { roundTrip: h.roundTrip.summary, transaction: h.transaction.summary, connect: h.connect.summary }, timestampMs, native);
  const generator = metrics.generator;
  if (generator !== undefined) {
    const add = (name: string, value: number, extra: Record<string, string> = {}) => out.push({ labels: { ...labels, ...extra, __name__: name }, value, timestampMs });
    add('hcbench_generator_cpu_percent', generator.cpuPercent);
    for (const [quantile, field] of QUANTILES) add('hcbench_generator_event_loop_delay_seconds', generator.eventLoopDelay[field] / 1e6, { quantile });
    add('hcbench_generator_valid', generator.isValid ? 1 : 0);
  }
  return out;
}

/** Most path-counter series sent per path (the rest are left out). */
const MAX_PATH_COUNTERS = 200;

/**
 * A path's component counters (relay, agent, forwarder, delay shim) as `hcbench_path_counter`
 * gauges: one series per numeric field, `counter` naming its dotted place (e.g.
 * `senderToListener.bytes`). Histogram records and non-numbers are left out.
 */
export function pathCounterSamples(labels: SeriesLabels, counters: Readonly<Record<string, unknown>>, timestampMs: number): SeriesSample[] {
  const out: SeriesSample[] = [];
  const walk = (component: string, value: unknown, place: string, depth: number): void => {
    if (out.length >= MAX_PATH_COUNTERS) return;
    if (typeof value === 'number' && Number.isFinite(value)) {
      out.push({ labels: { ...labels, component, counter: place, __name__: 'hcbench_path_counter' }, value, timestampMs });
      return;
    }
    if (depth >= 3 || typeof value !== 'object' || value === null || Array.isArray(value) || 'encoded' in value) return;
    for (const [key, inner] of Object.entries(value)) walk(component, inner, place === '' ? key : `${place}.${key}`, depth + 1);
  };
  for (const [component, value] of Object.entries(counters)) walk(component, value, '', 0);
  return out;
}
