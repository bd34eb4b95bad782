// Watches the load generator while a driver runs: event-loop delay (perf_hooks
// monitorEventLoopDelay), process CPU (read-only process.cpuUsage) and the driver's own dispatch
// lag, and judges each statistic of the step trusted or not from the generator's own timing error
// (analysis/statistic-trust.ts). Pool wait and queueing are results, never part of that error. It
// never changes how a driver runs.

import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { describeUntrusted, untrustedStatistics } from '../analysis/statistic-trust.js';
import { decodeRecord } from '../metrics/histogram.js';
import type { GeneratorHealth, GeneratorNoise, HistogramRecord, LatencySummary, StepMetrics } from '../metrics/result.js';

/** Event-loop delay sampling interval, ms (perf_hooks `resolution`). */
const LOOP_SAMPLE_MS = 2;
/** CPU share of one core above which a closed-model generator counts as saturated, percent. */
const MAX_CPU_PERCENT = 95;

export interface HealthMonitor {
  /** Stops sampling and judges the step's metrics. */
  finish(metrics: StepMetrics, generators: number): GeneratorHealth;
  /** Stops sampling without a verdict (the driver failed). */
  cancel(): void;
}

/** perf_hooks values are ns and include the sampling interval itself: µs of lateness. */
const lateUs = (ns: number): number => Math.max(0, Math.round(ns / 1000) - LOOP_SAMPLE_MS * 1000);

function loopSummary(loop: IntervalHistogram): LatencySummary {
  if (loop.count === 0) return { count: 0, minUs: 0, meanUs: 0, stdDevUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0 };
  return {
    count: loop.count,
    minUs: lateUs(loop.min),
    meanUs: Math.max(0, Math.round((loop.mean / 1000 - LOOP_SAMPLE_MS * 1000) * 10) / 10),
    stdDevUs: Math.round(loop.stddev / 100) / 10,
    p50Us: lateUs(loop.percentile(50)),
    p90Us: lateUs(loop.percentile(90)),
    p99Us: lateUs(loop.percentile(99)),
    p999Us: lateUs(loop.percentile(99.9)),
    maxUs: lateUs(loop.max),
  };
}

function loopNoise(loop: IntervalHistogram): GeneratorNoise {
  if (loop.count === 0) return { samples: 0, meanUs: 0, p50Us: 0, p75Us: 0, p90Us: 0, p95Us: 0, p99Us: 0, p999Us: 0, p9999Us: 0, maxUs: 0 };
  return {
    samples: loop.count,
    meanUs: Math.max(0, Math.round(loop.mean / 1000 - LOOP_SAMPLE_MS * 1000)),
    p50Us: lateUs(loop.percentile(50)),
    p75Us: lateUs(loop.percentile(75)),
    p90Us: lateUs(loop.percentile(90)),
    p95Us: lateUs(loop.percentile(95)),
    p99Us: lateUs(loop.percentile(99)),
    p999Us: lateUs(loop.percentile(99.9)),
    p9999Us: lateUs(loop.percentile(99.99)),
    maxUs: lateUs(loop.max),
  };
}

/** Per rank, the larger of the loop's lateness and the dispatch lag (open model). */
export function combineNoise(loop: GeneratorNoise, dispatchLag: HistogramRecord | undefined): GeneratorNoise {
  if (dispatchLag === undefined || dispatchLag.summary.count === 0) return loop;
  let lag: GeneratorNoise;
  try {
    const h = decodeRecord(dispatchLag);
    const at = (q: number) => Math.round(h.getValueAtPercentile(q));
    lag = { samples: dispatchLag.summary.count, meanUs: dispatchLag.summary.meanUs, p50Us: at(50), p75Us: at(75), p90Us: at(90), p95Us: at(95), p99Us: at(99), p999Us: at(99.9), p9999Us: at(99.99), maxUs: dispatchLag.summary.maxUs };
    h.destroy();
  } catch {
    // A record without an encoding (synthetic): the summary's ranks, rounded up to the next one.
    const s = dispatchLag.summary;
    lag = { samples: s.count, meanUs: s.meanUs, p95Us: s.p99Us, p99Us: s.p99Us, p999Us: s.p999Us, p9999Us: s.maxUs, maxUs: s.maxUs };
  }
  // A lower rank is known only when both sides know it.
  const lower = (key: 'p50Us' | 'p75Us' | 'p90Us'): { [k: string]: number } => {
    const a = loop[key];
    const b = lag[key];
    return a === undefined || b === undefined ? {} : { [key]: Math.max(a, b) };
  };
  return {
    samples: loop.samples,
    meanUs: Math.max(loop.meanUs, lag.meanUs),
    ...lower('p50Us'),
    ...lower('p75Us'),
    ...lower('p90Us'),
    p95Us: Math.max(loop.p95Us, lag.p95Us),
    p99Us: Math.max(loop.p99Us, lag.p99Us),
    p999Us: Math.max(loop.p999Us, lag.p999Us),
    p9999Us: Math.max(loop.p9999Us, lag.p9999Us),
    maxUs: Math.max(loop.maxUs, lag.maxUs),
  };
}

/**
 * Starts watching now; call `finish` once the driver returned. With `warmupMs`, samples and CPU of
 * the warm-up (connection setup, JIT) are dropped when it ends, so the noise covers the same
 * window as the statistics it judges.
 */
export function startHealthMonitor(warmupMs = 0): HealthMonitor {
  const loop = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  loop.enable();
  let startedMs = performance.now();
  let cpuStart = process.cpuUsage();
  const warmupTimer =
    warmupMs > 0
      ? setTimeout(() => {
          loop.reset();
          startedMs = performance.now();
          cpuStart = process.cpuUsage();
        }, warmupMs)
      : undefined;
  warmupTimer?.unref();
  return {
    finish(metrics, generators) {
      clearTimeout(warmupTimer);
      loop.disable();
      const elapsedMs = performance.now() - startedMs;
      const cpu = process.cpuUsage(cpuStart);
      const cpuPercent = elapsedMs > 0 ? Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10 : 0;
      return judge(metrics, loopSummary(loop), cpuPercent, generators, loopNoise(loop));
    },
    cancel: () => {
      clearTimeout(warmupTimer);
      loop.disable();
    },
  };
}

/**
 * Judges every statistic of the step against the generator's timing error; exported for tests.
 * `loopNoise` defaults to what the loop-delay summary gives (p99 for p95, max for p99.99).
 */
export function judge(metrics: StepMetrics, eventLoopDelay: LatencySummary, cpuPercent: number, generators: number, loopNoiseIn?: GeneratorNoise): GeneratorHealth {
  const h = metrics.histograms;
  const loop = loopNoiseIn ?? {
    samples: eventLoopDelay.count,
    meanUs: eventLoopDelay.meanUs,
    p95Us: eventLoopDelay.p99Us,
    p99Us: eventLoopDelay.p99Us,
    p999Us: eventLoopDelay.p999Us,
    p9999Us: eventLoopDelay.maxUs,
    maxUs: eventLoopDelay.maxUs,
  };
  const noise = combineNoise(loop, h.dispatchLag);
  const untrusted = untrustedStatistics(h, noise);
  const keys = untrusted.map((u) => u.key);
  const reasons = untrusted.map(describeUntrusted);
  // Closed model: a saturated generator caps throughput (the open model's dispatch lag says it directly).
  if (h.dispatchLag === undefined && cpuPercent > MAX_CPU_PERCENT * generators) {
    keys.push('transactionsPerSec');
    reasons.push(`transactionsPerSec: generator cpu ${cpuPercent} % > ${MAX_CPU_PERCENT * generators} %`);
  }
  return { eventLoopDelay, cpuPercent, generators, noise, untrusted: keys, isValid: keys.length === 0, invalidReasons: reasons };
}
