// Watches the load generator while a driver runs: event-loop delay (perf_hooks
// monitorEventLoopDelay), process CPU (read-only process.cpuUsage) and the driver's own dispatch
// lag, and flags a step whose generator fell behind. It never changes how a driver runs.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { GeneratorHealth, LatencySummary, StepMetrics } from '../metrics/result.js';

/** Event-loop delay sampling interval, ms (perf_hooks `resolution`). */
const LOOP_SAMPLE_MS = 2;
/** Smallest bound for dispatch lag and loop delay p99, µs. */
const MIN_BOUND_US = 1000;
/** The bound is also at least this fraction of the service-time (or round-trip) p50. */
const BOUND_FRACTION_OF_P50 = 0.25;
/** CPU share of one core above which a closed-model generator counts as saturated, percent. */
const MAX_CPU_PERCENT = 95;

export interface HealthMonitor {
  /** Stops sampling and judges the step's metrics. */
  finish(metrics: StepMetrics, generators: number): GeneratorHealth;
  /** Stops sampling without a verdict (the driver failed). */
  cancel(): void;
}

/** Starts watching now; call `finish` once the driver returned. */
export function startHealthMonitor(): HealthMonitor {
  const loop = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  loop.enable();
  const startedMs = performance.now();
  const cpuStart = process.cpuUsage();
  return {
    finish(metrics, generators) {
      loop.disable();
      const elapsedMs = performance.now() - startedMs;
      const cpu = process.cpuUsage(cpuStart);
      const cpuPercent = elapsedMs > 0 ? Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10 : 0;
      // perf_hooks values are ns; loop delay includes the sampling interval itself, so subtract it.
      const toUs = (ns: number): number => Math.max(0, Math.round(ns / 1000) - LOOP_SAMPLE_MS * 1000);
      const eventLoopDelay: LatencySummary = {
        count: loop.count,
        minUs: loop.count === 0 ? 0 : toUs(loop.min),
        meanUs: loop.count === 0 ? 0 : Math.round((loop.mean / 1000 - LOOP_SAMPLE_MS * 1000) * 10) / 10,
        stdDevUs: loop.count === 0 ? 0 : Math.round(loop.stddev / 100) / 10,
        p50Us: loop.count === 0 ? 0 : toUs(loop.percentile(50)),
        p90Us: loop.count === 0 ? 0 : toUs(loop.percentile(90)),
        p99Us: loop.count === 0 ? 0 : toUs(loop.percentile(99)),
        p999Us: loop.count === 0 ? 0 : toUs(loop.percentile(99.9)),
        maxUs: loop.count === 0 ? 0 : toUs(loop.max),
      };
      return judge(metrics, eventLoopDelay, cpuPercent, generators);
    },
    cancel: () => loop.disable(),
  };
}

/** Applies the validity rules; exported for tests. */
export function judge(metrics: StepMetrics, eventLoopDelay: LatencySummary, cpuPercent: number, generators: number): GeneratorHealth {
  const h = metrics.histograms;
  // Relative to what the path took (service time), not to response time: a generator that fell
  // behind inflates response time itself and would otherwise loosen its own bound.
  const measuredP50 = (h.serviceTime ?? h.roundTrip).summary.p50Us;
  const boundUs = Math.max(MIN_BOUND_US, Math.round(measuredP50 * BOUND_FRACTION_OF_P50));
  const reasons: string[] = [];
  const lagP99 = h.dispatchLag?.summary.p99Us;
  if (lagP99 !== undefined && lagP99 > boundUs) reasons.push(`dispatch lag p99 ${lagP99} µs > ${boundUs} µs`);
  if (eventLoopDelay.p99Us > boundUs) reasons.push(`event-loop delay p99 ${eventLoopDelay.p99Us} µs > ${boundUs} µs`);
  // Open model: the dispatch lag says directly whether the generator kept up (its spin-wait
  // shows as CPU without being a problem). Closed model: a saturated generator caps throughput.
  if (lagP99 === undefined && cpuPercent > MAX_CPU_PERCENT * generators) reasons.push(`generator cpu ${cpuPercent} % > ${MAX_CPU_PERCENT * generators} %`);
  return { eventLoopDelay, cpuPercent, generators, isValid: reasons.length === 0, invalidReasons: reasons };
}
