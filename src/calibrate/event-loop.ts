// Measures the event-loop delay of an otherwise idle loop (perf_hooks monitorEventLoopDelay):
// the floor under every latency a Node generator records. No sockets, no output.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { DurationSummaryUs } from '../metrics/calibration-result.js';

/** Sampling interval of the loop-delay timer, ms. */
const RESOLUTION_MS = 10;

/** Samples the loop delay for `durationMs` at 10 ms resolution; µs beyond the 10 ms interval. */
export async function measureEventLoopDelay(durationMs: number, signal?: AbortSignal): Promise<DurationSummaryUs> {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, durationMs);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
  histogram.disable();
  // The histogram holds the time between consecutive 10 ms ticks, in ns: the delay is what
  // exceeds the interval itself.
  const lateUs = (ns: number) => Math.max(0, Math.round(ns / 1000 - RESOLUTION_MS * 1000));
  return {
    count: histogram.count,
    p50Us: lateUs(histogram.percentile(50)),
    p99Us: lateUs(histogram.percentile(99)),
    maxUs: lateUs(histogram.max),
  };
}
