// Measures the event-loop delay of an otherwise idle loop (perf_hooks monitorEventLoopDelay):
// the floor under every latency a Node generator records. No sockets, no output.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { DurationSummaryUs } from './types.js';

/** Samples the loop delay for `durationMs` at 10 ms resolution; µs. */
export async function measureEventLoopDelay(durationMs: number, signal?: AbortSignal): Promise<DurationSummaryUs> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, durationMs);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
  histogram.disable();
  // The histogram reports how late each 10 ms tick fired, in ns (the 10 ms itself is excluded).
  return {
    count: histogram.count,
    p50Us: Math.round(histogram.percentile(50) / 1000),
    p99Us: Math.round(histogram.percentile(99) / 1000),
    maxUs: Math.round(histogram.max / 1000),
  };
}
