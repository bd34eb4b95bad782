// Samples the resident memory and open file descriptors of a set of processes (Linux /proc) on a
// fixed period, and compares a window after warm-up with the last one. RSS: medians of the
// windows. Fds: the windows' minimum, the floor of descriptors open when no churned connection is
// in flight — a leak raises it, while the connections in flight at a sample instant (which moved
// the median of a 3-minute soak from 28 to 31 with the floor flat at 27-28) do not. Used by the soak.

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

/** Growth of one figure of one role: median over [fromMs, fromMs + windowMs) against median over the last `windowMs`. */
export interface Growth {
  role: string;
  figure: 'rssBytes' | 'fds';
  /** How each window is summarised: the median (RSS) or the minimum (fds). */
  statistic: 'median' | 'min';
  baseline: number;
  last: number;
  /** Medians of both windows (for fds, next to the judged minimum). */
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
      const statistic = figure === 'fds' ? 'min' : 'median';
      const summarise = (list: readonly ProcessSample[]): number => {
        const values = list.map((s) => s[figure]);
        return statistic === 'min' ? (values.length === 0 ? Number.NaN : Math.min(...values)) : medianOf(values);
      };
      const baseline = summarise(base);
      const lastValue = summarise(last);
      const medians = { baseline: medianOf(base.map((s) => s[figure])), last: medianOf(last.map((s) => s[figure])) };
      out.push({ role, figure, statistic, baseline, last: lastValue, medians, growth: (lastValue - baseline) / baseline, samples: { baseline: base.length, last: last.length } });
    }
  }
  return out;
}
