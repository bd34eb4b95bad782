// Measures how finely this machine keeps time: hrtime step and setTimeout lateness. Pure
// measuring: no sockets, no output.

import type { DurationSummaryUs, TimerFigures } from '../metrics/calibration-result.js';

/** p50/p99/max of µs values (nearest rank), count included. */
export function summarizeUs(valuesUs: readonly number[]): DurationSummaryUs {
  const sorted = [...valuesUs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  return { count: sorted.length, p50Us: Math.round(at(0.5)), p99Us: Math.round(at(0.99)), maxUs: Math.round(sorted.at(-1) ?? 0) };
}

/** Median of a non-empty list. */
export function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Smallest non-zero difference between consecutive hrtime reads over `reads` reads, ns. */
export function measureHrtimeResolutionNs(reads = 200_000): number {
  let smallest = Number.POSITIVE_INFINITY;
  let previous = process.hrtime.bigint();
  for (let i = 0; i < reads; i += 1) {
    const now = process.hrtime.bigint();
    const step = Number(now - previous);
    if (step > 0 && step < smallest) smallest = step;
    previous = now;
  }
  return Number.isFinite(smallest) ? smallest : 0;
}

/** Lateness of `samples` sequential `setTimeout(fn, 1)` beyond 1 ms, µs. */
export async function measureSetTimeoutLateness(samples = 200): Promise<DurationSummaryUs> {
  const latenessUs: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const start = process.hrtime.bigint();
    await new Promise((resolve) => setTimeout(resolve, 1));
    latenessUs.push(Math.max(0, Number(process.hrtime.bigint() - start) / 1000 - 1000));
  }
  return summarizeUs(latenessUs);
}

export async function measureTimer(samples = 200): Promise<TimerFigures> {
  return { hrtimeResolutionNs: measureHrtimeResolutionNs(), setTimeoutLateness: await measureSetTimeoutLateness(samples) };
}
