// Samples the resident memory and open file descriptors of a set of processes (Linux /proc) on a
// fixed period, and compares a window after warm-up with the last one (each a third of the run
// after warm-up, from one to five minutes: growthWindowMs). RSS: the windows' 90th percentile, the
// plateau a process's heap refills to between V8's releases — a leak raises it, while a release
// caught in one window does not (a 30-minute soak's onprem RSS swung 90-128 MiB around a flat
// 127-131 MiB plateau, and the median of one-minute windows read that as +16.7 % growth). Fds:
// the windows' minimum, the floor of descriptors open when no churned connection is in flight —
// a leak raises it, while the connections in flight at a sample instant (which moved the median
// of a 3-minute soak from 28 to 31 with the floor flat at 27-28) do not. Used by the soak.

import { readFileSync, readdirSync } from 'node:fs';

/** One reading of one process. */
export interface ProcessSample {
  /** ms since sampling started. */
  atMs: number;
  role: string;
  rssBytes: number;
  fds: number;
}

/** A running sampler; `stop()` ends it and returns every sample taken. */
export interface ProcessSampler {
  samples: ProcessSample[];
  stop(): ProcessSample[];
}

/** RSS (bytes) and open fds of a live process, or undefined when it cannot be read (gone, not Linux). */
export function readProcess(pid: number): { rssBytes: number; fds: number } | undefined {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (match?.[1] === undefined) return undefined;
    return { rssBytes: Number(match[1]) * 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined;
  }
}

/** Samples `pids()` (role → pid, re-read each time) now and every `periodMs`; at most `maxSamples` rounds. */
export function startProcessSampler(pids: () => Record<string, number>, periodMs: number, maxSamples = 100_000): ProcessSampler {
  const startMs = performance.now();
  const samples: ProcessSample[] = [];
  let rounds = 0;
  const take = (): void => {
    if (rounds++ >= maxSamples) return;
    const atMs = Math.round(performance.now() - startMs);
    for (const [role, pid] of Object.entries(pids())) {
      const reading = readProcess(pid);
      if (reading !== undefined) samples.push({ atMs, role, ...reading });
    }
  };
  take();
  const timer = setInterval(take, periodMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/** Median of a list; NaN when empty. */
export function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The value at quantile `q` (0-1, nearest rank) of a list; NaN when empty. */
export function quantileOf(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The quantile RSS windows are judged on: their upper envelope, robust to a few spikes. */
export const RSS_QUANTILE = 0.9;

/**
 * The length of the two compared windows: a third of the span from the baseline start to the last
 * sample, within [`minMs`, `maxMs`]. A window of a few minutes holds the refilled plateau between
 * V8's memory releases (every 2-6 minutes in a 30-minute soak); a short one keeps most of a leak's
 * growth between them (seeded simulation in test/bench/soak-criteria.test.ts: 5-minute windows
 * read a 10 % leak over 30 minutes as at least +6.9 %, a flat plateau within ±0.6 %).
 */
export function growthWindowMs(baselineFromMs: number, endMs: number, minMs: number, maxMs: number): number {
  return Math.max(minMs, Math.min(maxMs, (endMs - baselineFromMs) / 3));
}

/** Growth of one figure of one role: the first window from `baselineFromMs` against the last `windowMs`. */
export interface Growth {
  role: string;
  figure: 'rssBytes' | 'fds';
  /** How each window is summarised: the 90th percentile (RSS; 'median' in results before it) or the minimum (fds). */
  statistic: 'p90' | 'median' | 'min';
  /** The length of each window (ms); absent in results before it (one minute). */
  windowMs?: number;
  baseline: number;
  last: number;
  /** Medians of both windows, next to the judged statistic. */
  medians: { baseline: number; last: number };
  /** (last − baseline) ÷ baseline; NaN without samples in either window. */
  growth: number;
  samples: { baseline: number; last: number };
}

/**
 * Growth of RSS and fds of every role between the window starting at `baselineFromMs` and the
 * last `windowMs` of the samples, counting only samples `isSteady` accepts (default all).
 */
export function growthOf(all: readonly ProcessSample[], baselineFromMs: number, windowMs: number, isSteady: (atMs: number) => boolean = () => true): Growth[] {
  const endMs = Math.max(0, ...all.map((s) => s.atMs));
  const samples = all.filter((s) => isSteady(s.atMs));
  const roles = [...new Set(samples.map((s) => s.role))];
  const out: Growth[] = [];
  for (const role of roles) {
    const mine = samples.filter((s) => s.role === role);
    const base = mine.filter((s) => s.atMs >= baselineFromMs && s.atMs < baselineFromMs + windowMs);
    const last = mine.filter((s) => s.atMs > endMs - windowMs && s.atMs >= baselineFromMs + windowMs);
    for (const figure of ['rssBytes', 'fds'] as const) {
      const statistic = figure === 'fds' ? 'min' : 'p90';
      const summarise = (list: readonly ProcessSample[]): number => {
        const values = list.map((s) => s[figure]);
        return statistic === 'min' ? (values.length === 0 ? Number.NaN : Math.min(...values)) : quantileOf(values, RSS_QUANTILE);
      };
      const baseline = summarise(base);
      const lastValue = summarise(last);
      const medians = { baseline: medianOf(base.map((s) => s[figure])), last: medianOf(last.map((s) => s[figure])) };
      out.push({ role, figure, statistic, windowMs, baseline, last: lastValue, medians, growth: (lastValue - baseline) / baseline, samples: { baseline: base.length, last: last.length } });
    }
  }
  return out;
}
