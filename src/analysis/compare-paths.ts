// Relay against direct for one workload variant: per-percentile delta and ratio across paired
// repetitions, throughput ratios (transactions, stream bytes), connection-setup overhead. Pure.

import type { HistogramRecord, LatencySummary } from '../metrics/result.js';
import { pairedBootstrap, type BootstrapOptions } from './bootstrap.js';
import { sharedRepetitions, type MeasuredStep, type PathSeries } from './pairing.js';
import type { ComparedMetric, PathComparison, PercentileComparison, PercentileLabel } from './types.js';

/** Percentiles compared, in report order, with the summary field each reads. */
export const PERCENTILES: readonly { label: PercentileLabel; key: keyof LatencySummary }[] = [
  { label: 'p50', key: 'p50Us' },
  { label: 'p90', key: 'p90Us' },
  { label: 'p99', key: 'p99Us' },
  { label: 'p99.9', key: 'p999Us' },
  { label: 'max', key: 'maxUs' },
];

const METRICS: readonly ComparedMetric[] = ['roundTrip', 'transaction', 'responseTime', 'serviceTime', 'poolWait', 'connect', 'firstByte'];

function histogramOf(step: MeasuredStep, metric: ComparedMetric): HistogramRecord | undefined {
  return step.metrics.histograms[metric];
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Compares one relay series with its direct series over the repetitions both have. */
export function comparePaths(direct: PathSeries, relay: PathSeries, bootstrap: BootstrapOptions): PathComparison {
  const repetitions = sharedRepetitions(direct, relay);
  const pairs = repetitions.map((r) => ({ direct: direct.byRepetition.get(r)!, relay: relay.byRepetition.get(r)! }));
  const percentiles: PercentileComparison[] = [];
  for (const metric of METRICS) {
    const records = pairs.map((p) => ({ direct: histogramOf(p.direct, metric), relay: histogramOf(p.relay, metric) }));
    // A metric is compared only when every pair recorded something on both paths.
    const isComparable = records.length > 0 && records.every((r) => (r.direct?.summary.count ?? 0) > 0 && (r.relay?.summary.count ?? 0) > 0);
    if (!isComparable) continue;
    for (const { label, key } of PERCENTILES) {
      const d = records.map((r) => r.direct!.summary[key]);
      const x = records.map((r) => r.relay!.summary[key]);
      const { delta, ratio } = pairedBootstrap(d, x, bootstrap);
      percentiles.push({ metric, percentile: label, directUs: mean(d), relayUs: mean(x), deltaUs: delta, ratio });
    }
  }
  const directRates = pairs.map((p) => p.direct.metrics.transactionsPerSec);
  const relayRates = pairs.map((p) => p.relay.metrics.transactionsPerSec);
  const throughputRatio = pairs.length === 0 ? null : pairedBootstrap(directRates, relayRates, bootstrap).ratio;
  const streams: PathComparison['streams'] = [];
  for (const direction of ['upload', 'download'] as const) {
    const d = pairs.map((p) => p.direct.metrics.throughput?.[direction]?.overallBytesPerSec);
    const x = pairs.map((p) => p.relay.metrics.throughput?.[direction]?.overallBytesPerSec);
    if (pairs.length === 0 || d.some((v) => v === undefined) || x.some((v) => v === undefined)) continue;
    const directBytes = d as number[];
    const relayBytes = x as number[];
    const { ratio } = pairedBootstrap(directBytes, relayBytes, bootstrap);
    streams.push({ direction, directBytesPerSec: mean(directBytes), relayBytesPerSec: mean(relayBytes), ratio });
  }
  const setupMetric = percentiles.some((p) => p.metric === 'firstByte') ? 'firstByte' : 'connect';
  const setup = percentiles.find((p) => p.metric === setupMetric && p.percentile === 'p50');
  return {
    key: direct.key,
    directPathId: direct.pathId,
    relayPathId: relay.pathId,
    repetitions,
    percentiles,
    throughput: { directPerSec: mean(directRates), relayPerSec: mean(relayRates), ratio: throughputRatio },
    streams,
    connectionSetup: setup === undefined ? null : { metric: setupMetric, deltaUs: setup.deltaUs },
  };
}
