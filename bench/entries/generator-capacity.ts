// Entry 7 (#6): the highest arrival rate one generator thread sustains on the direct path with
// dispatch lag p99 under 1 ms, no drops and no errors (open model, constant arrivals, 16 slots),
// found by stepping the rate up and bisecting once; reference: what the same 16 connections do
// in the closed model (the path's own ceiling). Ratio near 1 means the generator can saturate
// what it measures; the figure goes into the README.

import type { StepMetrics } from '../../src/metrics/result.js';
import type { WorkloadParams } from '../../src/workloads/types.js';
import { errorCount, roundTripFigure, runWorkload, startOnprem } from '../lib/measure.js';
import type { BenchEntry, Figure } from '../lib/types.js';

const SLOTS = 16;
/** Dispatch lag p99 bound for a probe to pass, µs. */
export const MAX_DISPATCH_LAG_P99_US = 1000;
const RATES_PER_SEC = [250, 500, 1000, 2000, 4000, 6000, 8000, 12000, 16000, 24000, 32000, 48000];

function openParams(ratePerSec: number): WorkloadParams {
  return {
    kind: 'tcp-request-response',
    connections: SLOTS,
    roundTripsPerTransaction: 1,
    requestBytes: 64,
    responseBytes: 64,
    load: { model: 'open', ratePerSec, whenBehind: 'drop' },
  };
}

/** Why a probe fails, or undefined when the generator kept up at `ratePerSec`. */
export function probeVerdict(metrics: StepMetrics, ratePerSec: number): string | undefined {
  const lag = metrics.histograms.dispatchLag?.summary;
  if (lag === undefined) return 'no dispatch-lag histogram';
  if (lag.p99Us >= MAX_DISPATCH_LAG_P99_US) return `dispatch lag p99 ${lag.p99Us} µs`;
  if ((metrics.counters.dropped ?? 0) > 0) return `${metrics.counters.dropped} dropped`;
  if (errorCount(metrics) > 0) return `${errorCount(metrics)} errors`;
  if (metrics.transactionsPerSec < ratePerSec * 0.95) return `achieved ${Math.round(metrics.transactionsPerSec)}/s`;
  return undefined;
}

export const generatorCapacity: BenchEntry = {
  id: 'generator-capacity',
  title: `one generator thread: highest open-model rate with dispatch lag p99 < 1 ms (direct, ${SLOTS} slots, 64 B)`,
  issue: '#6',
  unit: 'RT/s',
  better: 'higher',
  hcbenchLabel: `tcp-request-response, open model, constant arrivals, ${SLOTS} slots, whenBehind drop: highest passing rate`,
  referenceLabel: `same driver, closed model, ${SLOTS} connections (the direct path's ceiling)`,
  requires: [],
  rounds: 1,
  async setup(ctx) {
    const timing = { warmupMs: 300, durationMs: ctx.isQuick ? 600 : 1200 };
    const onprem = await startOnprem();
    const probe = async (rate: number) => {
      const metrics = await runWorkload(onprem.target, openParams(rate), timing, ctx.signal);
      const verdict = probeVerdict(metrics, rate);
      ctx.log(`    ${rate}/s: ${verdict ?? `ok (lag p99 ${metrics.histograms.dispatchLag?.summary.p99Us ?? '?'} µs)`}`);
      return { verdict, metrics };
    };
    return {
      runHcbench: async (): Promise<Figure> => {
        let best = 0;
        let bestLagP99Us = 0;
        let failedAt: number | undefined;
        let failedLagP99Us = 0;
        let failure = '';
        for (const rate of RATES_PER_SEC) {
          const { verdict, metrics } = await probe(rate);
          if (verdict !== undefined) {
            failedAt = rate;
            failedLagP99Us = metrics.histograms.dispatchLag?.summary.p99Us ?? 0;
            failure = verdict;
            break;
          }
          best = rate;
          bestLagP99Us = metrics.histograms.dispatchLag?.summary.p99Us ?? 0;
        }
        if (failedAt !== undefined && best > 0) {
          const middle = Math.round((best + failedAt) / 2 / 100) * 100;
          const { verdict, metrics } = await probe(middle);
          if (verdict === undefined) {
            best = middle;
            bestLagP99Us = metrics.histograms.dispatchLag?.summary.p99Us ?? 0;
          }
        }
        return {
          value: best,
          detail: {
            dispatchLagP99Us: bestLagP99Us,
            ...(failedAt === undefined ? {} : { firstFailedRatePerSec: failedAt, dispatchLagP99AtFailureUs: failedLagP99Us }),
          },
          notes: failedAt === undefined ? ['every probed rate passed'] : [`first failure: ${failure}`],
        };
      },
      runReference: async () => roundTripFigure(await runWorkload(onprem.target, { kind: 'tcp-request-response', connections: SLOTS, roundTripsPerTransaction: 1, requestBytes: 64, responseBytes: 64 }, timing, ctx.signal)),
      close: () => onprem.role.stop(),
    };
  },
};
